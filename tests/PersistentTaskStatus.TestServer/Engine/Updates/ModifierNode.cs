using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// A leaf of the update tree: one operator on one path (the server's ModifierNode). It either updates the element
/// that exists at its path or, when part of the path is missing, creates it (operators like <c>$set</c>) or does
/// nothing (operators like <c>$unset</c>, <c>$pop</c>).
/// </summary>
internal abstract class ModifierNode : UpdateNode
{
    /// <summary>Padding past the end of an array is capped as in the server (kMaxPaddingAllowed).</summary>
    private const int MaxPadding = 1_500_000;

    /// <summary>Whether a missing path is created (with <see cref="ValueForNewElement"/>).</summary>
    protected virtual bool AllowCreation => true;

    /// <summary>For operators that do not create: whether a path that could never be created is still a no-op.</summary>
    protected virtual bool AllowNonViablePath => false;

    /// <summary>Operators that may replace a value by another (for the wording of the immutable <c>_id</c> error).</summary>
    protected virtual bool CanSetObjectValue => false;

    /// <summary><c>$setOnInsert</c> applies only when an upsert inserts.</summary>
    protected virtual bool InsertOnly => false;

    public override bool Apply(UpdateApplyState state, UpdatePosition position)
    {
        if (InsertOnly && !state.Context.IsUpsertInsert)
        {
            return false;
        }

        return position.Exists ? ApplyToExisting(state, position) : ApplyToMissing(state, position);
    }

    /// <summary>Updates the existing element; returns whether it changed.</summary>
    protected abstract bool UpdateExisting(UpdateApplyState state, UpdatePosition position);

    protected virtual BsonValue ValueForNewElement(UpdateApplyState state) =>
        throw new InvalidOperationException("This operator does not create fields");

    /// <summary>The server's checkViability: fails when the missing part of the path could never be created.</summary>
    protected static void CheckViability(UpdatePosition position)
    {
        var first = position.PathToCreate[0];
        if (position.Element is BsonDocument || (position.Element is BsonArray && UpdatePosition.TryParseIndex(first, out _)))
        {
            return;
        }

        throw new MongoServerException(
            ErrorCode.PathNotViable,
            $"Cannot use the part ({first}) of ({position.FullPath}) to traverse the element ({{{BsonText.Element(position.FieldName, position.Element)}}})");
    }

    /// <summary>The document's <c>_id</c> as the server prints it in messages (<c>_id: 1</c>).</summary>
    internal static string IdText(UpdateApplyState state) =>
        state.Root.TryGetValue("_id", out var id) ? BsonText.Element("_id", id) : "no id";

    private bool ApplyToExisting(UpdateApplyState state, UpdatePosition position)
    {
        if (!UpdateExisting(state, position))
        {
            return false;
        }

        if (state.IdIsImmutable && position.PathTaken[0] == "_id")
        {
            if (CanSetObjectValue && position.PathTaken.Count == 1)
            {
                throw new MongoServerException(
                    ErrorCode.ImmutableField,
                    $"Updating the path '_id' to {BsonText.Element("_id", state.Root["_id"])} would modify the immutable field '_id'");
            }

            throw new MongoServerException(
                ErrorCode.ImmutableField,
                $"Performing an update on the path '{string.Join('.', position.PathTaken)}' would modify the immutable field '_id'");
        }

        return true;
    }

    private bool ApplyToMissing(UpdateApplyState state, UpdatePosition position)
    {
        if (!AllowCreation)
        {
            if (!AllowNonViablePath)
            {
                CheckViability(position);
            }

            return false;
        }

        Create(position, ValueForNewElement(state));

        if (state.IdIsImmutable && position.PathTaken.Count > 0 && position.PathTaken[0] == "_id")
        {
            throw new MongoServerException(
                ErrorCode.ImmutableField,
                $"Updating the path '{string.Join('.', position.PathTaken)}' to {BsonText.Element(position.FieldName, position.Element)} would modify the immutable field '_id'");
        }

        return true;
    }

    /// <summary>
    /// Creates the missing part of the path under the deepest existing element (the server's createPathAt): an index
    /// into an array pads it with nulls; every further level is an embedded document, even for numeric names.
    /// </summary>
    private static void Create(UpdatePosition position, BsonValue value)
    {
        var parts = position.PathToCreate;
        var first = parts[0];
        var created = value;
        for (var i = parts.Count - 1; i >= 1; i--)
        {
            created = new BsonDocument(parts[i], created);
        }

        switch (position.Element)
        {
            case BsonDocument document:
                if (position.PathTaken.Count == 0 && first.StartsWith('$'))
                {
                    throw new MongoServerException(
                        ErrorCode.DollarPrefixedFieldName,
                        $"The dollar ($) prefixed field '{first}' in '{position.FullPath}' is not valid for storage.");
                }

                document.Add(first, created);
                return;
            case BsonArray array when UpdatePosition.TryParseIndex(first, out var index):
                if (index - array.Count > MaxPadding)
                {
                    throw MongoServerException.NotSupported("Padding an array with more than 1500000 nulls");
                }

                while (array.Count < index)
                {
                    array.Add(BsonNull.Value);
                }

                array.Add(created);
                return;
            default:
                throw new MongoServerException(
                    ErrorCode.PathNotViable,
                    $"Cannot create field '{first}' in element {{{BsonText.Element(position.FieldName, position.Element)}}}");
        }
    }
}
