using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// Bytes on the wire per operation, request or reply, as measured once per case in its <c>[GlobalSetup]</c> on the
/// metered client (see <see cref="WireMeter"/>): sizes do not vary between repetitions of the same operation, so one
/// measurement outside the timed runs is exact and costs the timed code nothing.
/// </summary>
internal sealed class WireBytesColumn(bool reply) : IColumn
{
    public static IColumn Request { get; } = new WireBytesColumn(reply: false);

    public static IColumn Reply { get; } = new WireBytesColumn(reply: true);

    public string Id => nameof(WireBytesColumn) + (reply ? ".Reply" : ".Request");

    public string ColumnName => reply ? "Reply B/op" : "Request B/op";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => reply ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => reply
        ? "Bytes of the replies per operation (BSON reply documents plus 21 bytes of OP_MSG framing each), from CommandSucceededEvent"
        : "Bytes of the commands per operation (BSON command documents plus 21 bytes of OP_MSG framing each), from CommandStartedEvent";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var parameters = string.Join(",", benchmarkCase.Parameters.Items.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={p.Value}")));
        var sample = WireResults.Load(WireResults.Key(benchmarkCase.Descriptor.Type.Name, benchmarkCase.Descriptor.WorkloadMethod.Name, parameters));
        if (sample is not { } value)
        {
            return "-";
        }

        return (reply ? value.ReplyBytes : value.RequestBytes).ToString("N0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
