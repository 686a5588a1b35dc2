namespace Serverless.Simulators;

public static class SimulatedFaults
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IResult Unavailable(string why) =>
        Results.Json(new { code = "unavailable", message = $"Simulated outage: {why}." }, statusCode: StatusCodes.Status503ServiceUnavailable);

    public static IResult Error(int status, string code, string message) =>
        Results.Json(new { code, message }, statusCode: status);

    public static IResult MissingIdempotencyKey() =>
        Error(StatusCodes.Status400BadRequest, "invalid_request", $"The {IdempotencyKeyHeader} header is required on every effectful call.");
}
