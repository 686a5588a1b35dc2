using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Serverless.Catalog;
using Serverless.Orders.Contracts;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace Serverless.Orders.Workflows;

/// <summary>
/// A started (or already existing) order workflow. <paramref name="SameRequest"/> is false when the
/// existing workflow was started for a different order under the same idempotency key.
/// </summary>
public sealed record OrderStart(WorkflowHandle<OrderWorkflow, OrderOutcome> Handle, bool StartedNow, bool SameRequest = true);

/// <summary>
/// Starts order workflows so that a retried request never creates a second order: the workflow id
/// is derived from the client's idempotency key, and a start that finds the id taken (running or
/// finished) returns the existing workflow instead. The server enforces this atomically: of two
/// concurrent starts with one key, exactly one creates the workflow. Each workflow carries the
/// fingerprint of the order it was started for in its memo, so reusing a key for a different
/// order is detected instead of silently answered with the first one.
/// </summary>
public static class OrderStarter
{
    /// <summary>Memo field holding <see cref="RequestFingerprint"/> of the order the workflow runs.</summary>
    public const string RequestFingerprintMemo = "request-fingerprint";

    // Started by name: the typed overload compiles and walks an expression tree and reflects over
    // the run method on every call, a tenth of a placement's CPU (issue 12).
    private static readonly string WorkflowName = WorkflowDefinition.Create<OrderWorkflow>().Name
        ?? throw new InvalidOperationException("OrderWorkflow must have a workflow name");

    /// <summary>Stable order id for an idempotency key (also the workflow id).</summary>
    public static string OrderIdFor(string idempotencyKey)
    {
        // Keys are at most 255 characters: their bytes fit on the stack, one allocation fewer per placement.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(idempotencyKey.Length);
        Span<byte> key = maxBytes <= 1024 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key[..Encoding.UTF8.GetBytes(idempotencyKey, key)], hash);
        return string.Concat("ord-", Convert.ToHexStringLower(hash[..12]));
    }

    /// <summary>
    /// Hash of what the customer asked for (everything but the order id), insensitive to how the
    /// request spelled it: <c>9.9</c> and <c>9.90</c> are the same price. The hashed text is the
    /// compact JSON array <c>[customerId, currency, paymentToken, [[sku, quantity, "unitPrice"], ...]]</c>
    /// with the serializer's default escaping; it must never change, running workflows and outbox
    /// rows hold fingerprints of it.
    /// </summary>
    public static string RequestFingerprint(OrderInput input)
    {
        var canonical = new ArrayBufferWriter<byte>(256);
        Span<char> price = stackalloc char[64];
        using (var json = new Utf8JsonWriter(canonical))
        {
            json.WriteStartArray();
            json.WriteStringValue(input.CustomerId);
            json.WriteStringValue(input.Currency);
            json.WriteStringValue(input.PaymentToken);
            json.WriteStartArray();
            foreach (var line in input.Lines)
            {
                json.WriteStartArray();
                json.WriteStringValue(line.Sku);
                json.WriteNumberValue(line.Quantity);
                json.WriteStringValue(MinimalDecimal(line.UnitPrice, price));
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndArray();
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonical.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// <paramref name="value"/> without trailing fractional zeros, as the format <c>0.####…</c> (28
    /// places) of earlier releases wrote it, without a string per line.
    /// </summary>
    private static ReadOnlySpan<char> MinimalDecimal(decimal value, Span<char> buffer)
    {
        if (!value.TryFormat(buffer, out var written, provider: CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"decimal {value} does not fit {buffer.Length} characters");
        }

        var text = buffer[..written];
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    public static WorkflowOptions StartOptions(string environment, OrderInput input, string fingerprint) =>
        new(input.OrderId, ActivityQueues.Orders.PhysicalName(environment))
        {
            // A running order with this id is the same order: the start fails and we attach to it.
            IdConflictPolicy = WorkflowIdConflictPolicy.Fail,
            // A finished order with this id is the same order too: never run it again.
            IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
            Memo = new Dictionary<string, object> { [RequestFingerprintMemo] = fingerprint },
        };

    public static Task<OrderStart> StartOrGetAsync(
        ITemporalClient client, string environment, OrderInput input, CancellationToken cancellationToken = default) =>
        StartOrGetAsync(client, environment, input, RequestFingerprint(input), cancellationToken);

    /// <summary>As the overload without it, for a caller that has the <see cref="RequestFingerprint"/> of <paramref name="input"/> already.</summary>
    public static async Task<OrderStart> StartOrGetAsync(
        ITemporalClient client, string environment, OrderInput input, string fingerprint, CancellationToken cancellationToken)
    {
        var options = StartOptions(environment, input, fingerprint);
        options.Rpc = new RpcOptions { CancellationToken = cancellationToken };
        try
        {
            var started = await client.StartWorkflowAsync(WorkflowName, [input], options);
            return new OrderStart(
                new WorkflowHandle<OrderWorkflow, OrderOutcome>(client, started.Id, started.RunId, started.ResultRunId, started.FirstExecutionRunId),
                StartedNow: true);
        }
        catch (WorkflowAlreadyStartedException)
        {
            var existing = client.GetWorkflowHandle<OrderWorkflow, OrderOutcome>(input.OrderId);
            var description = await existing.DescribeAsync(new WorkflowDescribeOptions { Rpc = new RpcOptions { CancellationToken = cancellationToken } });
            // A workflow started without a fingerprint (by hand, or before fingerprints existed) cannot be
            // told apart: it is treated as the same order rather than refusing a legitimate retry.
            var sameRequest = !description.Memo.TryGetValue(RequestFingerprintMemo, out var existingFingerprint)
                              || string.Equals(await existingFingerprint.ToValueAsync<string>(), fingerprint, StringComparison.Ordinal);
            return new OrderStart(existing, StartedNow: false, sameRequest);
        }
    }
}
