using Serverless.Scaling.Traffic;

namespace Serverless.Scaling.Tests.Traffic;

public sealed class CsvTraceTests
{
    private static readonly string[] Queues = ["payments", "inventory"];

    [Fact]
    public void Parse_OrdersAndQueueColumns_SumsRepeatedSecondsAndFillsGaps()
    {
        const string csv = "# a comment\nsecond,orders,payments\n0,2,1\n3,1,0\n3,1,5\n";

        var (trace, problems) = CsvTrace.Parse(csv, "t.csv", Queues);

        Assert.Empty(problems);
        Assert.Equal(4, trace!.Seconds);
        Assert.Equal(4, trace.TotalOrders);
        Assert.Equal([1, 0, 0, 5], trace.ItemsFor(Support.TestQueues.Temporal()));
    }

    [Fact]
    public void Parse_UnknownColumnAndBadValues_ReportsEachWithItsLine()
    {
        const string csv = "second,orders,billing\n0,1,2\n";

        var (trace, problems) = CsvTrace.Parse(csv, "t.csv", Queues);

        Assert.Null(trace);
        var problem = Assert.Single(problems);
        Assert.Equal(1, problem.Location.Line);
        Assert.Contains("billing", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NegativeCountAndWrongWidth_AreErrorsOnTheirLines()
    {
        const string csv = "second,orders\n0,1\n1,-3\n2,1,9\nx,1\n";

        var (_, problems) = CsvTrace.Parse(csv, "t.csv", Queues);

        Assert.Equal([3, 4, 5], problems.Select(p => p.Location.Line));
    }
}
