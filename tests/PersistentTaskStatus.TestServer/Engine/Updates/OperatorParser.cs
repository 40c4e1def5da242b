using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>Validates one operator's argument for one path and builds its leaf node (the leaves' init in the server).</summary>
internal static class OperatorParser
{
    public static bool IsKnown(string name) => name is "$set" or "$unset" or "$inc" or "$mul" or "$min" or "$max"
        or "$rename" or "$setOnInsert" or "$currentDate" or "$push" or "$addToSet" or "$pop" or "$pull" or "$pullAll"
        or "$bit";

    public static UpdateNode Build(string name, BsonElement field) => name switch
    {
        "$set" => new SetNode(field.Value),
        "$setOnInsert" => new SetOnInsertNode(field.Value),
        "$unset" => new UnsetNode(),
        "$inc" => Arithmetic(field, multiply: false),
        "$mul" => Arithmetic(field, multiply: true),
        "$min" => new CompareNode(field.Value, max: false),
        "$max" => new CompareNode(field.Value, max: true),
        "$currentDate" => CurrentDate(field),
        "$push" => Push(field),
        "$addToSet" => AddToSet(field),
        "$pop" => Pop(field),
        "$pull" => PullNode.For(field.Value),
        "$pullAll" => field.Value is BsonArray values
            ? PullNode.All(values)
            : throw MongoServerException.BadValue($"$pullAll requires an array argument but was given a {BsonText.TypeName(field.Value)}"),
        _ => throw MongoServerException.NotSupported($"The update operator {name}"),
    };

    private static ArithmeticNode Arithmetic(BsonElement field, bool multiply)
    {
        if (!BsonOrder.IsNumber(field.Value))
        {
            var verb = multiply ? "multiply" : "increment";
            throw MongoServerException.TypeMismatch(
                $"Cannot {verb} with non-numeric argument: {{{BsonText.Element(field.Name, field.Value)}}}");
        }

        return new ArithmeticNode(field.Value, multiply);
    }

    /// <summary>A boolean (true, and also false) means a date; otherwise <c>{$type: "date" | "timestamp"}</c>.</summary>
    private static CurrentDateNode CurrentDate(BsonElement field)
    {
        if (field.Value is BsonBoolean)
        {
            return new CurrentDateNode(asTimestamp: false);
        }

        if (field.Value is not BsonDocument document)
        {
            throw MongoServerException.BadValue(
                $"{BsonText.Element(field.Name, field.Value)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({{$type: 'timestamp/date'}}).");
        }

        bool? asTimestamp = null;
        foreach (var option in document)
        {
            if (option.Name != "$type")
            {
                throw MongoServerException.BadValue($"Unrecognized $currentDate option: {option.Name}");
            }

            asTimestamp = option.Value switch
            {
                BsonString { Value: "date" } => false,
                BsonString { Value: "timestamp" } => true,
                _ => throw MongoServerException.BadValue(
                    "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}"),
            };
        }

        return new CurrentDateNode(asTimestamp ?? throw MongoServerException.BadValue(
            "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}"));
    }

    private static PopNode Pop(BsonElement field)
    {
        if (!BsonOrder.IsNumber(field.Value))
        {
            throw MongoServerException.BadValue($"Expected a number in: {BsonText.Element(field.Name, field.Value)}");
        }

        var value = BsonOrder.ToDouble(field.Value);
        if (value is not 1 and not -1)
        {
            throw MongoServerException.FailedToParse($"$pop expects 1 or -1, found: {BsonText.Value(field.Value)}");
        }

        return new PopNode(fromFront: value < 0);
    }

    /// <summary>A document with an <c>$each</c> field carries modifiers; any other value is pushed as it is.</summary>
    private static PushNode Push(BsonElement field)
    {
        if (field.Value is not BsonDocument document || !document.Contains("$each"))
        {
            return new PushNode([field.Value], null, null, null);
        }

        IReadOnlyList<BsonValue> values = [];
        int? position = null;
        PushSort? sort = null;
        long? slice = null;
        foreach (var modifier in document)
        {
            switch (modifier.Name)
            {
                case "$each":
                    values = modifier.Value is BsonArray each
                        ? [.. each]
                        : throw MongoServerException.BadValue(
                            $"The argument to $each in $push must be an array but it was of type: {BsonText.TypeName(modifier.Value)}");
                    break;
                case "$slice":
                    slice = IntegralValue(modifier.Value)
                        ?? throw MongoServerException.BadValue(
                            $"The value for $slice must be an integer value but was given type: {BsonText.TypeName(modifier.Value)}");
                    break;
                case "$position":
                    position = (int?)IntegralValue(modifier.Value)
                        ?? throw MongoServerException.BadValue(
                            $"The value for $position must be an integer value, not of type: {BsonText.TypeName(modifier.Value)}");
                    break;
                case "$sort":
                    sort = Sort(modifier.Value);
                    break;
                default:
                    throw MongoServerException.BadValue($"Unrecognized clause in $push: {modifier.Name}");
            }
        }

        return new PushNode(values, position, sort, slice);
    }

    private static PushSort Sort(BsonValue value)
    {
        if (BsonOrder.IsNumber(value))
        {
            var direction = BsonOrder.ToDouble(value);
            return direction is 1 or -1
                ? new PushSort((int)direction, null)
                : throw MongoServerException.BadValue("The $sort element value must be either 1 or -1");
        }

        if (value is not BsonDocument pattern)
        {
            throw MongoServerException.BadValue(
                "The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields");
        }

        if (pattern.ElementCount == 0)
        {
            throw MongoServerException.BadValue("The $sort pattern is empty when it should be a set of fields.");
        }

        foreach (var field in pattern)
        {
            if (field.Name.Split('.').Any(part => part.Length == 0))
            {
                throw MongoServerException.BadValue($"The $sort field is a dotted field but has an empty part: {field.Name}");
            }

            if (!BsonOrder.IsNumber(field.Value) || BsonOrder.ToDouble(field.Value) is not 1 and not -1)
            {
                throw MongoServerException.BadValue("The $sort element value must be either 1 or -1");
            }
        }

        return new PushSort(1, pattern);
    }

    /// <summary>A number with an integral value (as the server's parseIntegerElementToLong accepts), else null.</summary>
    private static long? IntegralValue(BsonValue value)
    {
        if (!BsonOrder.IsNumber(value))
        {
            return null;
        }

        var number = BsonOrder.ToDouble(value);
        return number == Math.Floor(number) && Math.Abs(number) < 9.2e18 ? BsonOrder.ToInt64(value) : null;
    }

    /// <summary>
    /// <c>$addToSet</c> takes one value, or a document with <c>$each</c> and nothing else; the values are
    /// de-duplicated first.
    /// </summary>
    private static AddToSetNode AddToSet(BsonElement field)
    {
        var values = new List<BsonValue>();
        if (field.Value is BsonDocument document && document.ElementCount > 0 && document.GetElement(0).Name == "$each")
        {
            if (document.ElementCount > 1)
            {
                throw MongoServerException.BadValue($"Found unexpected fields after $each in $addToSet: {BsonText.Document(document)}");
            }

            if (document[0] is not BsonArray each)
            {
                throw MongoServerException.TypeMismatch(
                    $"The argument to $each in $addToSet must be an array but it was of type {BsonText.TypeName(document[0])}");
            }

            values.AddRange(each);
        }
        else
        {
            values.Add(field.Value);
        }

        var distinct = new List<BsonValue>();
        foreach (var value in values)
        {
            if (!distinct.Any(d => BsonOrder.Instance.Compare(d, value) == 0))
            {
                distinct.Add(value);
            }
        }

        return new AddToSetNode(distinct);
    }
}
