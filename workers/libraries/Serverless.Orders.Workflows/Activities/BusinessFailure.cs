using Serverless.Orders.Integrations;
using Temporalio.Exceptions;

namespace Serverless.Orders.Activities;

internal static class BusinessFailure
{
    /// <summary>A rejection by an external system, raised so that Temporal never retries it.</summary>
    public static ApplicationFailureException From(string errorType, ApiErrorBody rejection) =>
        new($"{rejection.Message} ({rejection.Code})", errorType, nonRetryable: true);
}
