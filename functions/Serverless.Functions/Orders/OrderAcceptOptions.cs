using System.Text.Json.Serialization;

namespace Serverless.Functions.Orders;

/// <summary>What <c>POST /api/orders</c> does when Temporal cannot take the start.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrderAcceptMode>))]
public enum OrderAcceptMode
{
    /// <summary>Queue the order in PostgreSQL's outbox and answer <c>202</c>; the relay starts it later. <c>503</c> only when PostgreSQL is down too.</summary>
    Outbox,

    /// <summary>Answer <c>503</c> with <c>Retry-After</c> and accept nothing; the outbox is not used.</summary>
    Reject,
}

/// <summary>How orders are accepted (section <c>OrderAccept</c>).</summary>
public sealed class OrderAcceptOptions
{
    public const string Section = "OrderAccept";

    public OrderAcceptMode Mode { get; set; } = OrderAcceptMode.Outbox;

    public IEnumerable<string> Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            yield return $"OrderAccept:Mode must be Outbox or Reject; got {Mode}.";
        }
    }
}
