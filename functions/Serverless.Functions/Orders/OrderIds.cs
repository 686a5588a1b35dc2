using System.Text.RegularExpressions;

namespace Serverless.Functions.Orders;

/// <summary>Order ids are <c>ord-</c> and 24 hex digits (see <c>OrderStarter.OrderIdFor</c>); anything else cannot exist.</summary>
public static partial class OrderIds
{
    public static bool IsWellFormed(string? orderId) => orderId is not null && Pattern().IsMatch(orderId);

    [GeneratedRegex(@"\Aord-[0-9a-f]{24}\z")]
    private static partial Regex Pattern();
}
