using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Expressions.Operators;
using PersistentTaskStatus.TestServer.Engine.Versions;

namespace PersistentTaskStatus.TestServer.Engine.Aggregation;

/// <summary>
/// The $group accumulators $sum $avg $min $max $first $last $push $addToSet $count
/// (https://www.mongodb.com/docs/manual/reference/operator/aggregation/#accumulators---group---bucket---bucketauto---setwindowfields-).
/// </summary>
internal static class GroupAccumulators
{
    private static readonly HashSet<string> Unsupported =
    [
        "$accumulator", "$bottom", "$bottomN", "$firstN", "$lastN", "$maxN", "$median", "$mergeObjects", "$minN",
        "$percentile", "$stdDevPop", "$stdDevSamp", "$top", "$topN",
    ];

    public static void Validate(string name, BsonValue argument)
    {
        if (!FeatureGate.KnowsAccumulator(name))
        {
            throw OperatorShapes.Error(15952, $"unknown group operator '{name}'");
        }

        switch (name)
        {
            case "$count":
                if (argument is not BsonDocument { ElementCount: 0 })
                {
                    throw MongoServerException.TypeMismatch("$count takes no arguments, i.e. $count:{}");
                }

                return;
            case "$sum" or "$avg" or "$min" or "$max" or "$first" or "$last" or "$push" or "$addToSet":
                if (argument is BsonArray)
                {
                    throw OperatorShapes.Error(40237, $"The {name} accumulator is a unary operator");
                }

                return;
            default:
                if (Unsupported.Contains(name))
                {
                    throw MongoServerException.NotSupported($"The $group accumulator {name}");
                }

                throw OperatorShapes.Error(15952, $"unknown group operator '{name}'");
        }
    }

    public static Accumulator Create(string name, CompiledExpression argument) => name switch
    {
        // A constant number is summed as MongoDB sums it, without compensation (AccumulatorSum::getConstantArgument).
        "$sum" when argument is ConstantExpression { Value: BsonInt32 or BsonInt64 or BsonDouble } constant => new ConstantSumAccumulator(constant.Value),
        "$sum" => new SumAccumulator(),
        "$count" => new CountAccumulator(),
        "$avg" => new AverageAccumulator(),
        "$min" => new ExtremeAccumulator(wantMax: false),
        "$max" => new ExtremeAccumulator(wantMax: true),
        "$first" => new FirstAccumulator(),
        "$last" => new LastAccumulator(),
        "$push" => new PushAccumulator(distinct: false),
        "$addToSet" => new PushAccumulator(distinct: true),
        _ => throw MongoServerException.NotSupported($"The $group accumulator {name}"),
    };

    internal abstract class Accumulator
    {
        public abstract void Add(BsonValue? value);

        public abstract BsonValue? Result();
    }

    // Non-numeric values are ignored; no numbers at all is 0. Compensated, as MongoDB sums (NumericSum).
    private sealed class SumAccumulator : Accumulator
    {
        private readonly NumericSum _sum = new();

        public override void Add(BsonValue? value) => _sum.Add(value);

        public override BsonValue Result() => _sum.Sum;
    }

    private sealed class ConstantSumAccumulator(BsonValue addend) : Accumulator
    {
        private readonly ConstantSum _sum = new(addend);

        public override void Add(BsonValue? value) => _sum.Add();

        public override BsonValue Result() => _sum.Sum;
    }

    private sealed class CountAccumulator : Accumulator
    {
        private long _count;

        public override void Add(BsonValue? value) => _count++;

        public override BsonValue Result() => Numbers.Integral(_count, bothInt32: true);
    }

    private sealed class AverageAccumulator : Accumulator
    {
        private readonly NumericSum _sum = new();

        public override void Add(BsonValue? value) => _sum.Add(value);

        public override BsonValue Result() => _sum.Average;
    }

    // Null and missing are ignored; a group without other values gives null.
    private sealed class ExtremeAccumulator(bool wantMax) : Accumulator
    {
        private BsonValue? _best;

        public override void Add(BsonValue? value)
        {
            if (Values.IsNullish(value))
            {
                return;
            }

            if (_best is null || (wantMax ? Values.Compare(value, _best) > 0 : Values.Compare(value, _best) < 0))
            {
                _best = value;
            }
        }

        public override BsonValue Result() => _best?.DeepClone() ?? BsonNull.Value;
    }

    // A missing value counts as null for $first and $last.
    private sealed class FirstAccumulator : Accumulator
    {
        private BsonValue? _first;
        private bool _seen;

        public override void Add(BsonValue? value)
        {
            if (!_seen)
            {
                _seen = true;
                _first = value ?? BsonNull.Value;
            }
        }

        public override BsonValue? Result() => _first?.DeepClone();
    }

    private sealed class LastAccumulator : Accumulator
    {
        private BsonValue? _last;

        public override void Add(BsonValue? value) => _last = value ?? BsonNull.Value;

        public override BsonValue? Result() => _last?.DeepClone();
    }

    // Missing values are not pushed; $addToSet keeps one of each value (in first-seen order here).
    private sealed class PushAccumulator(bool distinct) : Accumulator
    {
        private readonly BsonArray _values = [];
        private readonly HashSet<BsonValue> _seen = new(BsonOrder.Instance);

        public override void Add(BsonValue? value)
        {
            if (value is not null && (!distinct || _seen.Add(value)))
            {
                _values.Add(value.DeepClone());
            }
        }

        public override BsonValue Result() => _values;
    }
}
