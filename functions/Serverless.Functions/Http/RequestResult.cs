using Microsoft.AspNetCore.Mvc;

namespace Serverless.Functions.Http;

/// <summary>Either a value read from a request or the problem response that explains why it could not be.</summary>
public readonly record struct RequestResult<T>(T? Value, IActionResult? Problem)
{
    public static implicit operator RequestResult<T>(T value) => new(value, null);

    public static implicit operator RequestResult<T>(ObjectResult problem) => new(default, problem);
}
