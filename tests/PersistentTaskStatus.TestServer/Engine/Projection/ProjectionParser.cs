using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Projection;

/// <summary>
/// Parses a projection into a tree, with the checks of MongoDB's projection parser
/// (https://www.mongodb.com/docs/manual/reference/method/db.collection.find/#projection).
/// </summary>
internal sealed class ProjectionParser
{
    private readonly bool forAggregation;
    private bool? inclusion;
    private bool idSpecified;
    private bool idIncludedEntirely;
    private bool hasPositional;
    private bool hasElemMatch;
    private bool hasFindSlice;

    private readonly ProjectionNode root = new(ProjectionKind.Path);

    private ProjectionParser(bool forAggregation)
    {
        this.forAggregation = forAggregation;
    }

    public static (ProjectionNode Root, bool Inclusion) Parse(BsonDocument projection, bool forAggregation)
    {
        var parser = new ProjectionParser(forAggregation);
        var root = parser.root;
        foreach (var element in projection)
        {
            parser.idSpecified |= element.Name == "_id" || element.Name.StartsWith("_id.", StringComparison.Ordinal);
            parser.ParseElement(element, null, root);
        }

        // find()'s defaults when nothing is explicitly included or excluded.
        var isInclusion = parser.inclusion
            ?? (parser.idIncludedEntirely || (!parser.hasFindSlice && parser.hasElemMatch));
        if (!parser.idSpecified && isInclusion)
        {
            root.Add("_id", new ProjectionNode(ProjectionKind.Include));
        }

        if (!isInclusion && parser.idIncludedEntirely)
        {
            root.Remove("_id");
        }

        return (root, isInclusion);
    }

    private static void AddAtPath(ProjectionNode parent, string path, ProjectionNode node)
    {
        var parts = path.Split('.');
        var current = parent;
        for (var i = 0; i < parts.Length; i++)
        {
            ValidateFieldName(parts[i]);
            if (i == parts.Length - 1)
            {
                if (current.TryGetChild(parts[i], out _))
                {
                    throw new MongoServerException(31250, "Location31250", $"Path collision at {path}");
                }

                current.Add(parts[i], node);
                return;
            }

            if (!current.TryGetChild(parts[i], out var next))
            {
                next = new ProjectionNode(ProjectionKind.Path);
                current.Add(parts[i], next);
            }
            else if (next.Kind != ProjectionKind.Path)
            {
                throw new MongoServerException(
                    31249,
                    "Location31249",
                    $"Path collision at {path} remaining portion {string.Join('.', parts[(i + 1)..])}");
            }

            current = next;
        }
    }

    private static void ValidateFieldName(string name)
    {
        if (name.Length == 0)
        {
            throw new MongoServerException(ErrorCode.Location40352, "FieldPath cannot be constructed with empty string");
        }

        if (name.StartsWith('$'))
        {
            throw new MongoServerException(
                16410,
                "Location16410",
                "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
        }
    }

    /// <summary>Where a trailing positional operator (<c>field.$</c>) starts, or -1.</summary>
    private static int PositionalStart(string name) =>
        name.EndsWith(".$", StringComparison.Ordinal) ? name.Length - 2 : name == "$" ? 0 : -1;

    private void ParseElement(BsonElement element, string? parentPath, ProjectionNode parent)
    {
        var name = element.Name;
        if (name.Contains(".$.", StringComparison.Ordinal))
        {
            throw new MongoServerException(
                31394,
                "Location31394",
                "As of 4.4, it's illegal to specify positional operator in the middle of a path.Positional "
                + "projection may only be used at the end, for example: a.b.$. If the query previously used a "
                + "form like a.b.$.d, remove the parts following the '$' and the results will be equivalent.");
        }

        var positional = PositionalStart(name);
        if (positional >= 0 && forAggregation)
        {
            throw new MongoServerException(
                31324, "Location31324", "Cannot use positional projection in aggregation projection");
        }

        var value = element.Value;
        if (value is BsonDocument subObject)
        {
            if (positional >= 0)
            {
                throw new MongoServerException(
                    31271, "Location31271", "positional projection cannot be used with an expression or sub object");
            }

            ParseSubObject(name, parentPath, subObject, parent);
        }
        else if (value.BsonType is BsonType.Boolean or BsonType.Int32 or BsonType.Int64 or BsonType.Double
                 or BsonType.Decimal128)
        {
            if (OperatorParser.IsTrue(value))
            {
                ParseInclusion(name, parent, positional);
            }
            else
            {
                ParseExclusion(name, parent);
            }
        }
        else
        {
            if (positional >= 0)
            {
                throw new MongoServerException(
                    31308, "Location31308", "positional projection cannot be used with a literal");
            }

            AddAtPath(parent, name, new ProjectionNode(ProjectionKind.Expression) { Expression = value });
            if (inclusion == false)
            {
                throw new MongoServerException(
                    31310,
                    "Location31310",
                    $"Cannot use an expression {name}: {value.ToJson()} in an exclusion projection");
            }

            inclusion = true;
        }
    }

    private void ParseSubObject(string name, string? parentPath, BsonDocument subObject, ProjectionNode parent)
    {
        if (subObject.ElementCount == 0)
        {
            throw new MongoServerException(
                51270,
                "Location51270",
                "An empty sub-projection is not a valid value. Found empty object at path");
        }

        if (subObject.ElementCount == 1 && subObject.GetElement(0).Name.StartsWith('$'))
        {
            ParseOperator(name, parentPath, subObject, parent);
            return;
        }

        var node = new ProjectionNode(ProjectionKind.Path);
        AddAtPath(parent, name, node);
        var fullPath = parentPath is null ? name : $"{parentPath}.{name}";
        foreach (var element in subObject)
        {
            ParseElement(element, fullPath, node);
        }
    }

    private void ParseOperator(string name, string? parentPath, BsonDocument subObject, ProjectionNode parent)
    {
        var op = subObject.GetElement(0);
        if (!forAggregation && op.Name == "$slice")
        {
            if (TryParseFindSlice(op.Value, out var skip, out var limit, out var sliceError))
            {
                AddAtPath(parent, name, new ProjectionNode(ProjectionKind.Slice) { SliceSkip = skip, SliceLimit = limit });
                hasFindSlice = true;
                return;
            }

            if (op.Value is not BsonArray { Count: 2 or 3 })
            {
                // Neither find()'s form nor the form of the $slice aggregation expression.
                throw sliceError!;
            }
        }

        if (!forAggregation && op.Name == "$elemMatch")
        {
            ParseElemMatch(name, parentPath, op.Value, parent);
            return;
        }

        if (op.Name == "$meta")
        {
            throw MongoServerException.NotSupported("The $meta projection");
        }

        if (inclusion == false)
        {
            throw new MongoServerException(
                31252, "Location31252", "Cannot use expression other than $meta in exclusion projection");
        }

        inclusion = true;
        AddAtPath(parent, name, new ProjectionNode(ProjectionKind.Expression) { Expression = subObject });
    }

    private void ParseElemMatch(string name, string? parentPath, BsonValue argument, ProjectionNode parent)
    {
        if (argument is not BsonDocument)
        {
            throw new MongoServerException(
                31274,
                "Location31274",
                $"elemMatch: Invalid argument, object required, but got {TypeName(argument)}");
        }

        if (hasPositional)
        {
            throw new MongoServerException(31255, "Location31255", "Cannot specify positional operator and $elemMatch.");
        }

        if (parentPath is not null || name.Contains('.', StringComparison.Ordinal))
        {
            throw new MongoServerException(31275, "Location31275", "Cannot use $elemMatch projection on a nested field.");
        }

        var filter = QueryFilter.Parse(new BsonDocument(name, new BsonDocument("$elemMatch", argument)));
        AddAtPath(parent, name, new ProjectionNode(ProjectionKind.ElemMatch) { ElemMatch = filter });
        hasElemMatch = true;
    }

    private static bool TryParseFindSlice(BsonValue value, out int? skip, out int limit, out MongoServerException? error)
    {
        skip = null;
        limit = 0;
        error = null;
        if (BsonOrder.IsNumber(value))
        {
            limit = ToInt(value);
            return true;
        }

        if (value is not BsonArray array)
        {
            error = new MongoServerException(31273, "Location31273", "$slice only supports numbers and [skip, limit] arrays");
            return false;
        }

        if (array.Count != 2)
        {
            error = new MongoServerException(31272, "Location31272", "$slice array argument should be of form [skip, limit]");
            return false;
        }

        if (!BsonOrder.IsNumber(array[0]))
        {
            error = new MongoServerException(
                31257, "Location31257", $"$slice expects the skip argument to be a number, got {TypeName(array[0])}");
            return false;
        }

        if (!BsonOrder.IsNumber(array[1]))
        {
            error = new MongoServerException(
                31258, "Location31258", $"$slice expects the limit argument to be a number, got {TypeName(array[1])}");
            return false;
        }

        limit = ToInt(array[1]);
        if (limit <= 0)
        {
            error = new MongoServerException(31259, "Location31259", $"$slice limit must be positive, got {limit}");
            return false;
        }

        skip = ToInt(array[0]);
        return true;
    }

    private static int ToInt(BsonValue number)
    {
        var value = BsonOrder.ToDouble(number);
        return double.IsNaN(value) ? 0 : (int)Math.Clamp(Math.Truncate(value), int.MinValue, int.MaxValue);
    }

    private static string TypeName(BsonValue value) => value.BsonType switch
    {
        BsonType.String => "string",
        BsonType.Document => "object",
        BsonType.Array => "array",
        BsonType.Boolean => "bool",
        BsonType.Null => "null",
        _ => value.BsonType.ToString(),
    };

    private void ParseInclusion(string name, ProjectionNode parent, int positional)
    {
        var isTopLevelId = name == "_id" && IsRoot(parent);
        if (positional < 0)
        {
            AddAtPath(parent, name, new ProjectionNode(ProjectionKind.Include));
            idIncludedEntirely |= isTopLevelId;
        }
        else
        {
            if (hasPositional)
            {
                throw new MongoServerException(
                    31276, "Location31276", "Cannot specify more than one positional projection per query.");
            }

            if (hasElemMatch)
            {
                throw new MongoServerException(31256, "Location31256", "Cannot specify positional operator and $elemMatch.");
            }

            AddAtPath(parent, name[..positional], new ProjectionNode(ProjectionKind.Positional));
            hasPositional = true;
        }

        if (!isTopLevelId)
        {
            if (inclusion == false)
            {
                throw new MongoServerException(
                    31253, "Location31253", $"Cannot do inclusion on field {name} in exclusion projection");
            }

            inclusion = true;
        }
    }

    private void ParseExclusion(string name, ProjectionNode parent)
    {
        AddAtPath(parent, name, new ProjectionNode(ProjectionKind.Exclude));
        if (name == "_id" && IsRoot(parent))
        {
            return;
        }

        if (inclusion == true)
        {
            throw new MongoServerException(
                ErrorCode.Location31254, $"Cannot do exclusion on field {name} in inclusion projection");
        }

        inclusion = false;
    }

    private bool IsRoot(ProjectionNode node) => ReferenceEquals(root, node);
}
