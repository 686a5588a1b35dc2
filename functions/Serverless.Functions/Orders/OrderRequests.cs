using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Functions.Http;
using Serverless.Orders.Contracts;

namespace Serverless.Functions.Orders;

/// <summary>What a customer sends to place an order, validated field by field.</summary>
public sealed record PlaceOrderRequest(string CustomerId, IReadOnlyList<OrderLine> Lines, string Currency, string PaymentToken)
{
    public OrderInput ToInput(string orderId) => new(orderId, CustomerId, Lines, Currency, PaymentToken);
}

/// <summary>Optional body of a cancellation.</summary>
public sealed record CancelOrderBody(string? Reason);

/// <summary>
/// The request bodies' rules. Identifiers are ASCII by rule (no look-alike letters, no invisible
/// or direction-changing characters); money is decimal with bounded precision; every bound is
/// stated in the error a client gets.
/// </summary>
public static partial class OrderRequests
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 10_000;
    public const decimal MaxUnitPrice = 1_000_000m;

    /// <summary>ISO 4217 minor units go up to 4 decimal places.</summary>
    public const int PriceDecimals = 4;

    public const int MaxReasonLength = 500;

    private static readonly string[] OrderFields = ["customerId", "lines", "currency", "paymentToken"];
    private static readonly string[] LineFields = ["sku", "quantity", "unitPrice"];
    private static readonly string[] CancelFields = ["reason"];

    private const string IdentifierRule = "1-64 characters: ASCII letters, digits, '.', '_', ':' or '-', starting with a letter or digit";
    private static readonly string ReasonRule =
        $"1-{MaxReasonLength} characters of text: no control characters, no invisible format characters (bidi overrides and isolates, zero-width characters, U+FEFF, soft hyphens) and no line or paragraph separators";

    private static readonly string LinesRule = $"an array of 1 to {MaxLines} lines, each {{ \"sku\", \"quantity\", \"unitPrice\" }}";

    public static RequestResult<PlaceOrderRequest> ReadPlaceOrder(JsonElement body)
    {
        var errors = new FieldErrors();
        if (!errors.ExpectObject(body, FieldPath.Root, OrderFields))
        {
            return ProblemResults.Invalid(errors.ToDictionary());
        }

        var customerId = errors.RequiredString(body, FieldPath.Root, "customerId", Identifier(), IdentifierRule);
        var currency = errors.RequiredString(body, FieldPath.Root, "currency", Currency(), "an ISO 4217 code of three upper-case letters, e.g. EUR");
        var paymentToken = errors.RequiredString(body, FieldPath.Root, "paymentToken", Token(), "1-256 printable ASCII characters without spaces");
        var lines = ReadLines(body, errors);
        return errors.Any
            ? ProblemResults.Invalid(errors.ToDictionary())
            : new PlaceOrderRequest(customerId!, lines!, currency!, paymentToken!);
    }

    public static RequestResult<CancelOrderBody> ReadCancel(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Undefined)
        {
            return new CancelOrderBody(null);
        }

        var errors = new FieldErrors();
        if (!errors.ExpectObject(body, FieldPath.Root, CancelFields))
        {
            return ProblemResults.Invalid(errors.ToDictionary());
        }

        var reason = errors.OptionalString(
            body,
            "reason",
            Reason(),
            ReasonRule);
        return errors.Any ? ProblemResults.Invalid(errors.ToDictionary()) : new CancelOrderBody(reason);
    }

    private static List<OrderLine>? ReadLines(JsonElement body, FieldErrors errors)
    {
        if (!body.TryGetProperty("lines", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            errors.Add("lines", $"Required: {LinesRule}.");
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() is 0 or > MaxLines)
        {
            var got = array.ValueKind == JsonValueKind.Array ? $"{array.GetArrayLength()} lines" : FieldErrors.Describe(array);
            errors.Add("lines", $"Must be {LinesRule}; got {got}.");
            return null;
        }

        var lines = new List<OrderLine>(array.GetArrayLength());
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var path = FieldPath.Item("lines", index);
            if (errors.ExpectObject(element, path, LineFields))
            {
                var sku = errors.RequiredString(element, path, "sku", Identifier(), IdentifierRule);
                var quantity = errors.RequiredInteger(element, path, "quantity", 1, MaxQuantity);
                var unitPrice = errors.RequiredDecimal(element, path, "unitPrice", 0m, MaxUnitPrice, PriceDecimals);
                if (sku is not null && !seen.TryAdd(sku, index))
                {
                    errors.Add(path.For("sku"), $"SKU '{sku}' is already on line {seen[sku]}: put the whole quantity on one line.");
                }
                else if (sku is not null && quantity is not null && unitPrice is not null)
                {
                    lines.Add(new OrderLine(sku, quantity.Value, unitPrice.Value));
                }
            }

            index++;
        }

        return lines;
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\z")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\A[A-Z]{3}\z")]
    private static partial Regex Currency();

    [GeneratedRegex(@"\A[\x21-\x7E]{1,256}\z")]
    private static partial Regex Token();

    // Free text, shown to people (support, the customer's order history): any script, but nothing
    // that reorders or hides what is shown (Cf: U+202E, U+200B, U+FEFF, ...) or breaks a log line.
    [GeneratedRegex(@"\A[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{1,500}\z")]
    private static partial Regex Reason();
}
