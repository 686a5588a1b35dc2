using Microsoft.OpenApi;
using Serverless.Functions.Http;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>
/// The OpenAPI description, generated from the function methods' metadata. Kept free of anything
/// that varies by run or host (no server URLs), so it can be compared byte for byte with the
/// checked-in copy the Functions host serves.
/// </summary>
public static class OrderOpenApi
{
    public static IServiceCollection AddOrderOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Serverless orders API",
                    Version = "v1",
                    Description =
                        "Place, read and cancel orders. Every response carries X-Correlation-Id (sent by the client, " +
                        "derived from traceparent, or created). Errors are RFC 9457 problem details.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [ApiKeyGate.SchemeName] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = ApiKeyGate.HeaderName,
                        Description = "Self-hosted: a key from SelfHost:ApiKeys. In the Functions host: a function key (x-functions-key).",
                    },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                foreach (var parameter in metadata.OfType<DocumentedParameterAttribute>())
                {
                    var path = parameter.In == DocumentedParameterAttribute.Path;
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = parameter.Name,
                        In = path ? ParameterLocation.Path : ParameterLocation.Header,
                        Required = path,
                        Description = parameter.Description,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }

                if (metadata.OfType<ApiKeyRequired>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(ApiKeyGate.SchemeName, context.Document)] = [],
                    });
                    operation.Responses ??= [];
                    operation.Responses["401"] = new OpenApiResponse { Description = "No valid API key." };
                    operation.Responses["429"] = new OpenApiResponse { Description = "The API key's rate limit is reached; see Retry-After." };
                }

                return Task.CompletedTask;
            });
        });
}
