using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>Operators that modify an existing array in place; the result is a change only if the array differs.</summary>
internal abstract class ArrayModifierNode : ModifierNode
{
    protected override bool UpdateExisting(UpdateApplyState state, UpdatePosition position)
    {
        if (position.Element is not BsonArray array)
        {
            throw NotAnArray(state, position);
        }

        var before = (BsonArray)array.DeepClone();
        Modify(state, array);
        return !BsonIdentity.Same(before, array);
    }

    protected abstract MongoServerException NotAnArray(UpdateApplyState state, UpdatePosition position);

    protected abstract void Modify(UpdateApplyState state, BsonArray array);
}

/// <summary>
/// <c>$push</c> with <c>$each</c>, <c>$position</c>, <c>$sort</c> and <c>$slice</c>
/// (https://www.mongodb.com/docs/manual/reference/operator/update/push/): insert, then sort, then slice.
/// </summary>
internal sealed class PushNode(IReadOnlyList<BsonValue> values, int? position, PushSort? sort, long? slice) : ArrayModifierNode
{
    protected override BsonValue ValueForNewElement(UpdateApplyState state)
    {
        var array = new BsonArray();
        Modify(state, array);
        return array;
    }

    protected override MongoServerException NotAnArray(UpdateApplyState state, UpdatePosition position) =>
        MongoServerException.BadValue(
            $"The field '{position.FieldName}' must be an array but is of type {BsonText.TypeName(position.Element)} in document {{{IdText(state)}}}");

    protected override void Modify(UpdateApplyState state, BsonArray array)
    {
        var at = array.Count;
        if (position is { } p)
        {
            // A negative position counts from the end of the array.
            at = p >= 0 ? Math.Min(p, array.Count) : Math.Max(0, array.Count + p);
        }

        foreach (var value in values)
        {
            array.Insert(at++, value.DeepClone());
        }

        if (sort is not null)
        {
            var sorted = array.OrderBy(v => v, sort).ToList();
            array.Clear();
            array.AddRange(sorted);
        }

        if (slice is { } s)
        {
            var keep = s >= 0 ? array.Take((int)Math.Min(s, array.Count)).ToList() : array.Skip((int)Math.Max(0, array.Count + s)).ToList();
            array.Clear();
            array.AddRange(keep);
        }
    }
}

/// <summary>
/// The <c>$sort</c> of <c>$push</c>: by whole values (<c>1</c> / <c>-1</c>) or by fields of embedded documents. When
/// sorting by fields, a value that is not a document is compared as a whole.
/// </summary>
internal sealed class PushSort(int direction, BsonDocument? pattern) : IComparer<BsonValue>
{
    public int Compare(BsonValue? x, BsonValue? y)
    {
        x ??= BsonNull.Value;
        y ??= BsonNull.Value;
        if (pattern is null || x is not BsonDocument dx || y is not BsonDocument dy)
        {
            return direction * BsonOrder.Instance.Compare(x, y);
        }

        foreach (var field in pattern)
        {
            var sign = BsonOrder.ToDouble(field.Value) < 0 ? -1 : 1;
            var byField = BsonOrder.Instance.Compare(SortKey(dx, field.Name, sign), SortKey(dy, field.Name, sign));
            if (byField != 0)
            {
                return sign * byField;
            }
        }

        return 0;
    }

    /// <summary>The value at a dotted path; missing is null; an array sorts by its smallest (ascending) or largest element.</summary>
    private static BsonValue SortKey(BsonDocument document, string path, int sign)
    {
        BsonValue current = document;
        foreach (var part in path.Split('.'))
        {
            if (!UpdatePosition.TryGetChild(current, part, out current))
            {
                return BsonNull.Value;
            }
        }

        if (current is BsonArray array)
        {
            if (array.Count == 0)
            {
                return BsonNull.Value;
            }

            return sign > 0 ? array.Min(BsonOrder.Instance)! : array.Max(BsonOrder.Instance)!;
        }

        return current;
    }
}

/// <summary>
/// <c>$addToSet</c> (https://www.mongodb.com/docs/manual/reference/operator/update/addToSet/): adds values not already
/// present, comparing whole values (documents field by field, in order).
/// </summary>
internal sealed class AddToSetNode(IReadOnlyList<BsonValue> values) : ArrayModifierNode
{
    protected override BsonValue ValueForNewElement(UpdateApplyState state)
    {
        var array = new BsonArray();
        Modify(state, array);
        return array;
    }

    protected override MongoServerException NotAnArray(UpdateApplyState state, UpdatePosition position) =>
        MongoServerException.BadValue(
            $"Cannot apply $addToSet to non-array field. Field named '{position.FieldName}' has non-array type {BsonText.TypeName(position.Element)}");

    protected override void Modify(UpdateApplyState state, BsonArray array)
    {
        foreach (var value in values)
        {
            if (!array.Any(existing => BsonOrder.Instance.Compare(existing, value) == 0))
            {
                array.Add(value.DeepClone());
            }
        }
    }
}

/// <summary><c>$pop</c> (https://www.mongodb.com/docs/manual/reference/operator/update/pop/).</summary>
internal sealed class PopNode(bool fromFront) : ArrayModifierNode
{
    protected override bool AllowCreation => false;

    public override bool Apply(UpdateApplyState state, UpdatePosition position) =>

        // Nothing of the path exists: a no-op without the viability check.
        position.PathTaken.Count != 0 && base.Apply(state, position);

    protected override MongoServerException NotAnArray(UpdateApplyState state, UpdatePosition position) =>
        MongoServerException.TypeMismatch(
            $"Path '{string.Join('.', position.PathTaken)}' contains an element of non-array type '{BsonText.TypeName(position.Element)}'");

    protected override void Modify(UpdateApplyState state, BsonArray array)
    {
        if (array.Count > 0)
        {
            array.RemoveAt(fromFront ? 0 : array.Count - 1);
        }
    }
}

/// <summary>
/// <c>$pull</c> and <c>$pullAll</c> (https://www.mongodb.com/docs/manual/reference/operator/update/pull/,
/// https://www.mongodb.com/docs/manual/reference/operator/update/pullAll/): remove every element that matches.
/// </summary>
internal sealed class PullNode(Func<BsonValue, UpdateApplyState, bool> matches) : ArrayModifierNode
{
    protected override bool AllowCreation => false;

    protected override MongoServerException NotAnArray(UpdateApplyState state, UpdatePosition position) =>
        MongoServerException.BadValue("Cannot apply $pull to a non-array value");

    protected override void Modify(UpdateApplyState state, BsonArray array)
    {
        var kept = array.Where(element => !matches(element, state)).ToList();
        array.Clear();
        array.AddRange(kept);
    }

    /// <summary>
    /// The three matchers of the server's PullNode. A document condition whose first field is not a query operator
    /// (<c>{score: 8, item: "B"}</c>) is a query over the fields of document elements; other elements never match.
    /// An operator condition (<c>{$gte: 6}</c>) or a regex applies to the element itself: the element is wrapped as
    /// the only field of a document, <c>{ v: element }</c>, and matched by <c>{ v: condition }</c> (the server wraps
    /// with an empty field name; any name works, as the condition is an operator document that cannot refer to it).
    /// Any other value removes the elements equal to it.
    /// </summary>
    public static PullNode For(BsonValue condition)
    {
        if (condition is BsonDocument document && !(document.ElementCount > 0 && IsQueryOperator(document.GetElement(0).Name)))
        {
            var filter = QueryFilter.Parse(document);
            return new PullNode((element, state) =>
                element is BsonDocument elementDocument && filter.Matches(elementDocument, state.Context.Expressions));
        }

        if (condition is BsonDocument or BsonRegularExpression)
        {
            var filter = QueryFilter.Parse(new BsonDocument(WrapperField, condition));
            return new PullNode((element, state) =>
                filter.Matches(new BsonDocument(WrapperField, element), state.Context.Expressions));
        }

        return new PullNode((element, _) => BsonOrder.Instance.Compare(element, condition) == 0);
    }

    public static PullNode All(BsonArray values) =>
        new((element, _) => values.Any(value => BsonOrder.Instance.Compare(element, value) == 0));

    private const string WrapperField = "v";

    private static bool IsQueryOperator(string name) => name is "$eq" or "$ne" or "$gt" or "$gte" or "$lt" or "$lte"
        or "$in" or "$nin" or "$exists" or "$type" or "$regex" or "$options" or "$elemMatch" or "$size" or "$all"
        or "$mod" or "$not" or "$bitsAllSet" or "$bitsAllClear" or "$bitsAnySet" or "$bitsAnyClear" or "$geoWithin"
        or "$geoIntersects" or "$near" or "$nearSphere" or "$within";
}
