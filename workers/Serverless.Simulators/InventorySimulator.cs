using Microsoft.Extensions.Options;
using Serverless.Orders.Integrations;

namespace Serverless.Simulators;

/// <summary>An inventory service with all-or-nothing reservations that expire unless confirmed.</summary>
public sealed class InventorySimulator(IOptions<InventorySimulatorOptions> options, TimeProvider clock)
{
    private readonly InventorySimulatorOptions settings = options.Value;
    private readonly Dictionary<string, StockLevel> stock = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReservationState> reservations = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly IdempotentResponses responses = new();

    public FaultInjector Faults { get; } = new(options.Value);

    public Task<IResult> ReserveAsync(string key, ReservationRequestBody request)
    {
        var fingerprint = "reserve|" + request.OrderId + "|" + string.Join(',', request.Lines.Select(l => $"{l.Sku}x{l.Quantity}"));
        return responses.ExecuteAsync(key, fingerprint, () => Reserve(request), Faults.LosesResponse());
    }

    public Task<IResult> ConfirmAsync(string key, string reservationId) =>
        responses.ExecuteAsync(key, "confirm|" + reservationId, () => Confirm(reservationId), Faults.LosesResponse());

    public Task<IResult> ReleaseAsync(string key, string reservationId) =>
        responses.ExecuteAsync(key, "release|" + reservationId, () => Release(reservationId), Faults.LosesResponse());

    public StockResponseBody StockOf(string sku)
    {
        lock (gate)
        {
            ExpireReservations();
            var level = Level(sku);
            return new StockResponseBody(sku, level.Available, level.Reserved, level.Confirmed);
        }
    }

    public ReservationResponseBody? Find(string reservationId)
    {
        lock (gate)
        {
            ExpireReservations();
            return reservations.TryGetValue(reservationId, out var reservation) ? reservation.ToBody() : null;
        }
    }

    private (int, object) Reserve(ReservationRequestBody request)
    {
        if (request.Lines is not { Count: > 0 } || request.Lines.Any(l => string.IsNullOrWhiteSpace(l.Sku) || l.Quantity <= 0))
        {
            return (StatusCodes.Status400BadRequest, new ApiErrorBody(InventoryErrorCodes.InvalidRequest, "lines must be non-empty with positive quantities"));
        }

        lock (gate)
        {
            ExpireReservations();
            var wanted = request.Lines.GroupBy(l => l.Sku, StringComparer.Ordinal).Select(g => (Sku: g.Key, Quantity: g.Sum(l => l.Quantity))).ToList();
            foreach (var (sku, quantity) in wanted)
            {
                var level = Level(sku);
                if (level.Available < quantity)
                {
                    return (StatusCodes.Status409Conflict, new ApiErrorBody(InventoryErrorCodes.OutOfStock, $"{sku}: {quantity} wanted, {level.Available} available"));
                }
            }

            foreach (var (sku, quantity) in wanted)
            {
                var level = Level(sku);
                level.Available -= quantity;
                level.Reserved += quantity;
            }

            var reservation = new ReservationState($"res_{Guid.NewGuid():N}", wanted, clock.GetUtcNow() + settings.ReservationTtl);
            reservations[reservation.Id] = reservation;
            return (StatusCodes.Status201Created, reservation.ToBody());
        }
    }

    private (int, object) Confirm(string reservationId) => WithHeldReservation(
        reservationId,
        onReleased: ("reservation_released", "was released"),
        onConfirmed: null,
        hold =>
        {
            foreach (var (sku, quantity) in hold.Lines)
            {
                var level = Level(sku);
                level.Reserved -= quantity;
                level.Confirmed += quantity;
            }

            hold.Status = ReservationStatus.Confirmed;
        });

    private (int, object) Release(string reservationId) => WithHeldReservation(
        reservationId,
        onReleased: null,
        onConfirmed: ("reservation_confirmed", "is confirmed; returns go through another process"),
        hold => Return(hold, ReservationStatus.Released));

    /// <summary>
    /// Applies <paramref name="change"/> to a held reservation. Repeating the change (confirm after
    /// confirm, release after release) answers as the first time did; the other end states and
    /// expiry are refused with the code and words given.
    /// </summary>
    private (int, object) WithHeldReservation(
        string reservationId,
        (string Code, string Words)? onReleased,
        (string Code, string Words)? onConfirmed,
        Action<ReservationState> change)
    {
        lock (gate)
        {
            ExpireReservations();
            if (!reservations.TryGetValue(reservationId, out var reservation))
            {
                return (StatusCodes.Status404NotFound, new ApiErrorBody(InventoryErrorCodes.ReservationNotFound, $"No reservation {reservationId}."));
            }

            var refusal = reservation.Status switch
            {
                ReservationStatus.Expired => ((string Code, string Words)?)(InventoryErrorCodes.ReservationExpired, $"expired at {reservation.ExpiresAt:O}"),
                ReservationStatus.Released => onReleased,
                ReservationStatus.Confirmed => onConfirmed,
                _ => null,
            };
            if (refusal is { } refused)
            {
                var status = reservation.Status == ReservationStatus.Expired ? StatusCodes.Status410Gone : StatusCodes.Status409Conflict;
                return (status, new ApiErrorBody(refused.Code, $"Reservation {reservationId} {refused.Words}."));
            }

            if (reservation.Status == ReservationStatus.Held)
            {
                change(reservation);
            }

            return (StatusCodes.Status200OK, reservation.ToBody());
        }
    }

    private void ExpireReservations()
    {
        var now = clock.GetUtcNow();
        foreach (var reservation in reservations.Values.Where(r => r.Status == ReservationStatus.Held && r.ExpiresAt <= now))
        {
            Return(reservation, ReservationStatus.Expired);
        }
    }

    private void Return(ReservationState reservation, ReservationStatus status)
    {
        foreach (var (sku, quantity) in reservation.Lines)
        {
            var level = Level(sku);
            level.Reserved -= quantity;
            level.Available += quantity;
        }

        reservation.Status = status;
    }

    private StockLevel Level(string sku)
    {
        if (!stock.TryGetValue(sku, out var level))
        {
            level = new StockLevel { Available = settings.Stock.GetValueOrDefault(sku, settings.DefaultStock) };
            stock[sku] = level;
        }

        return level;
    }

    private sealed class StockLevel
    {
        public int Available { get; set; }

        public int Reserved { get; set; }

        public int Confirmed { get; set; }
    }

    private enum ReservationStatus
    {
        Held,
        Confirmed,
        Released,
        Expired,
    }

    private sealed class ReservationState(string id, IReadOnlyList<(string Sku, int Quantity)> lines, DateTimeOffset expiresAt)
    {
        public string Id { get; } = id;

        public IReadOnlyList<(string Sku, int Quantity)> Lines { get; } = lines;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public ReservationStatus Status { get; set; }

        public ReservationResponseBody ToBody() => new(Id, Status.ToString().ToLowerInvariant(), ExpiresAt);
    }
}
