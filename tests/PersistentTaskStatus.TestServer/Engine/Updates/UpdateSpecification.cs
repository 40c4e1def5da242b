using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// A parsed update document of update operators (https://www.mongodb.com/docs/manual/reference/operator/update/).
/// Replacement documents and pipeline updates are handled elsewhere.
/// </summary>
internal sealed class UpdateSpecification
{
    private readonly UpdateObjectNode root;
    private readonly IReadOnlyDictionary<string, QueryFilter> arrayFilters;

    private UpdateSpecification(UpdateObjectNode root, IReadOnlyDictionary<string, QueryFilter> arrayFilters)
    {
        this.root = root;
        this.arrayFilters = arrayFilters;
    }

    /// <summary>
    /// Parses and validates the update and its <c>arrayFilters</c> before any document is touched, as MongoDB does
    /// (an unknown operator fails even when nothing matches).
    /// </summary>
    public static UpdateSpecification Parse(BsonDocument update, BsonArray? arrayFilters)
    {
        var filters = ArrayFilterParser.Parse(arrayFilters);
        var usedIdentifiers = new HashSet<string>(StringComparer.Ordinal);
        var root = new UpdateObjectNode();

        foreach (var op in update)
        {
            if (!OperatorParser.IsKnown(op.Name))
            {
                throw MongoServerException.FailedToParse(
                    $"Unknown modifier: {op.Name}. Expected a valid update modifier or pipeline-style update specified as an array");
            }

            if (op.Value is not BsonDocument fields)
            {
                throw MongoServerException.FailedToParse(
                    $"Modifiers operate on fields but we found type {BsonText.TypeName(op.Value)} instead. For example: {{$mod: {{<field>: ...}}}} not {{{BsonText.Element(op.Name, op.Value)}}}");
            }

            if (op.Name == "$bit")
            {
                throw MongoServerException.NotSupported("The update operator $bit");
            }

            // An empty operator document is allowed since MongoDB 5.0 and changes nothing.
            foreach (var field in fields)
            {
                if (op.Name == "$rename")
                {
                    AddRename(root, field, filters, usedIdentifiers);
                    continue;
                }

                var path = UpdatePathParser.Parse(field.Name, filters, usedIdentifiers);
                var leaf = OperatorParser.Build(op.Name, field);
                UpdateTreeBuilder.Add(root, path, field.Name, leaf);
            }
        }

        foreach (var identifier in filters.Keys)
        {
            if (!usedIdentifiers.Contains(identifier))
            {
                throw MongoServerException.FailedToParse(
                    $"The array filter for identifier '{identifier}' was not used in the update {BsonText.Document(update)}");
            }
        }

        return new UpdateSpecification(root, filters);
    }

    /// <summary>
    /// Applies the update to <paramref name="document"/> in place and returns whether it changed.
    /// </summary>
    public bool Apply(BsonDocument document, UpdateContext context)
    {
        var state = new UpdateApplyState
        {
            Root = document,
            Context = context,
            ArrayFilters = arrayFilters,
            IdIsImmutable = !context.IsUpsertInsert && document.Contains("_id"),
        };
        return root.Apply(state, UpdatePosition.Root(document));
    }

    /// <summary>
    /// <c>$rename</c> puts a placeholder at the source (so other operators on it conflict) and the rename itself at
    /// the destination, as the server does; neither path may be positional.
    /// </summary>
    private static void AddRename(UpdateObjectNode root, BsonElement field, IReadOnlyDictionary<string, QueryFilter> filters, HashSet<string> used)
    {
        if (field.Value is not BsonString { Value: var to })
        {
            throw MongoServerException.BadValue($"The 'to' field for $rename must be a string: {BsonText.Element(field.Name, field.Value)}");
        }

        var from = field.Name;
        var fromPath = UpdatePathParser.Parse(from, filters, used);
        var toPath = UpdatePathParser.Parse(to, filters, used);
        if (fromPath.Any(UpdatePathParser.IsDynamic))
        {
            throw MongoServerException.BadValue($"The source field for $rename may not be dynamic: {from}");
        }

        if (toPath.Any(UpdatePathParser.IsDynamic))
        {
            throw MongoServerException.BadValue($"The destination field for $rename may not be dynamic: {to}");
        }

        if (from == to)
        {
            throw MongoServerException.BadValue($"The source and target field for $rename must differ: {BsonText.Element(from, to)}");
        }

        if (to.StartsWith(from + ".", StringComparison.Ordinal) || from.StartsWith(to + ".", StringComparison.Ordinal))
        {
            throw MongoServerException.BadValue(
                $"The source and target field for $rename must not be on the same path: {BsonText.Element(from, to)}");
        }

        UpdateTreeBuilder.Add(root, fromPath, from, new ConflictPlaceholderNode());
        UpdateTreeBuilder.Add(root, toPath, to, new RenameNode(from, to));
    }
}

/// <summary>What an update needs besides the document.</summary>
internal sealed class UpdateContext
{
    public required ExpressionContext Expressions { get; init; }

    /// <summary>The array index that the query matched through, for the positional <c>$</c> operator.</summary>
    public int? PositionalIndex { get; init; }

    /// <summary>True when the update builds a new document of an upsert (then <c>$setOnInsert</c> applies).</summary>
    public bool IsUpsertInsert { get; init; }

    /// <summary>
    /// The paths an operator rewrote with the very bytes they held (an <c>$inc</c> of NaN): a modification that no
    /// comparison of the documents before and after can see, which a change event still lists.
    /// </summary>
    public List<string> RewrittenPaths { get; } = [];
}
