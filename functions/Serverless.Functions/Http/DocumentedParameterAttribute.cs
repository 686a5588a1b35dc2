namespace Serverless.Functions.Http;

/// <summary>
/// Documents a request parameter a function reads from the request itself (a header, or a route
/// value bound by name) for the OpenAPI description; <see cref="In"/> is <c>header</c> or <c>path</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class DocumentedParameterAttribute(string @in, string name, string description) : Attribute
{
    public const string Header = "header";
    public const string Path = "path";

    public string In { get; } = @in;

    public string Name { get; } = name;

    public string Description { get; } = description;
}
