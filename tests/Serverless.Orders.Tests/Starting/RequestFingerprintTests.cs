using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;

namespace Serverless.Orders.Tests.Starting;

/// <summary>
/// Running workflows (memo) and outbox rows hold fingerprints made by earlier releases: a new
/// release must hash the same order to the same value, or a retry would be refused as another order.
/// </summary>
public sealed class RequestFingerprintTests
{
    private static readonly OrderInput Known = new(
        "ord-000000000000000000000000", "cust-1", [new OrderLine("SKU-1", 2, 12.5m), new OrderLine("SKU-2", 1, 99.99m)], "EUR", "tok_visa");

    [Fact]
    public void RequestFingerprint_OfAKnownOrder_IsTheValueEarlierReleasesStored()
    {
        // sha256 of ["cust-1","EUR","tok_visa",[["SKU-1",2,"12.5"],["SKU-2",1,"99.99"]]]
        Assert.Equal("4b22e308a3f59a7c995bd506e8a5487e84887996caf01c316f692eab56d6c991", OrderStarter.RequestFingerprint(Known));
    }

    [Theory]
    [InlineData("cust-1", "tok_visa", "SKU-1", "9.90")]
    [InlineData("c:1.a_b", "tok+<&'\"\\`x", "S>K", "0.0001")]
    [InlineData("kundé-ü", "тoken\u2028", "SKU-ß", "1000000")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "1000000.0000")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "0.0")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "-0.0")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "-12.50")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "100")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "10.01")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "0.0000000000000000000000000001")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "-79228162514264337593543950335")]
    [InlineData("cust-1", "tok_visa", "SKU-1", "7.9228162514264337593543950335")]
    public void RequestFingerprint_AnyOrder_EqualsTheSerializerFormOfEarlierReleases(string customer, string token, string sku, string price)
    {
        var order = Known with
        {
            CustomerId = customer,
            PaymentToken = token,
            Lines = [new OrderLine(sku, 3, decimal.Parse(price, CultureInfo.InvariantCulture)), new OrderLine("SKU-2", 10_000, 0m)],
        };

        Assert.Equal(EarlierReleases(order), OrderStarter.RequestFingerprint(order));
    }

    [Fact]
    public void RequestFingerprint_SamePriceSpelledDifferently_IsTheSame()
    {
        var other = Known with { Lines = [new OrderLine("SKU-1", 2, 12.50m), new OrderLine("SKU-2", 1, 99.990m)] };

        Assert.Equal(OrderStarter.RequestFingerprint(Known), OrderStarter.RequestFingerprint(other));
    }

    /// <summary>How the fingerprint was computed before it was written without reflection.</summary>
    private static string EarlierReleases(OrderInput input) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new object[]
        {
            input.CustomerId,
            input.Currency,
            input.PaymentToken,
            input.Lines.Select(line => new object[] { line.Sku, line.Quantity, line.UnitPrice.ToString("0.############################", CultureInfo.InvariantCulture) }),
        })));
}
