using System.Globalization;
using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>What every node of one update's application shares.</summary>
internal sealed class UpdateApplyState
{
    public required BsonDocument Root { get; init; }

    public required UpdateContext Context { get; init; }

    /// <summary>The array filters by identifier, parsed.</summary>
    public required IReadOnlyDictionary<string, QueryFilter> ArrayFilters { get; init; }

    /// <summary>Whether <c>_id</c> may not change (an update of an existing document that has one).</summary>
    public required bool IdIsImmutable { get; init; }
}

/// <summary>
/// A node of the update tree, as the server builds it (UpdateObjectNode, UpdateArrayNode and leaf modifiers): the
/// paths of all operators merge into one tree, which makes conflicts visible at parse time and fixes the order of
/// application.
/// </summary>
internal abstract class UpdateNode
{
    /// <summary>Applies this node at <paramref name="position"/>; returns whether the document changed.</summary>
    public abstract bool Apply(UpdateApplyState state, UpdatePosition position);

    /// <summary>
    /// Merges two nodes that apply to the same element (a positional <c>$</c> and a named index, or two array
    /// filters matching one element). Two leaves cannot merge.
    /// </summary>
    public static UpdateNode Merge(UpdateNode left, UpdateNode right, string path)
    {
        if (left is UpdateObjectNode leftObject && right is UpdateObjectNode rightObject)
        {
            var merged = new UpdateObjectNode();
            foreach (var (name, child) in leftObject.Children.Concat(rightObject.Children))
            {
                merged.Children[name] = merged.Children.TryGetValue(name, out var existing)
                    ? Merge(existing, child, path + "." + name)
                    : child;
            }

            merged.Positional = (leftObject.Positional, rightObject.Positional) switch
            {
                (null, var only) => only,
                (var only, null) => only,
                var (a, b) => Merge(a, b, path + ".$"),
            };
            return merged;
        }

        if (left is UpdateArrayNode leftArray && right is UpdateArrayNode rightArray)
        {
            var merged = new UpdateArrayNode();
            foreach (var (identifier, child) in leftArray.Children.Concat(rightArray.Children))
            {
                merged.Children[identifier] = merged.Children.TryGetValue(identifier, out var existing)
                    ? Merge(existing, child, path)
                    : child;
            }

            return merged;
        }

        throw new MongoServerException(ErrorCode.ConflictingUpdateOperators, $"Update created a conflict at '{path}'");
    }
}

/// <summary>An inner node whose children are named fields (or array indexes) and possibly the positional <c>$</c>.</summary>
internal sealed class UpdateObjectNode : UpdateNode
{
    public SortedDictionary<string, UpdateNode> Children { get; } = new(PathOrder.Instance);

    public UpdateNode? Positional { get; set; }

    public override bool Apply(UpdateApplyState state, UpdatePosition position)
    {
        var children = new List<KeyValuePair<string, UpdateNode>>(Children);
        if (Positional is not null)
        {
            var index = state.Context.PositionalIndex
                ?? throw MongoServerException.BadValue("The positional operator did not find the match needed from the query.");
            var matched = index.ToString(CultureInfo.InvariantCulture);
            var at = children.FindIndex(c => c.Key == matched);
            if (at >= 0)
            {
                children[at] = new(matched, Merge(children[at].Value, Positional, Join(position, matched)));
            }
            else
            {
                var insertAt = children.FindIndex(c => PathOrder.Instance.Compare(matched, c.Key) < 0);
                children.Insert(insertAt < 0 ? children.Count : insertAt, new(matched, Positional));
            }
        }

        var changed = false;
        foreach (var (name, child) in children)
        {
            // Resolve again for every child: an earlier sibling may have created the path to this level.
            changed |= child.Apply(state, position.Resolve().Child(name));
        }

        return changed;
    }

    private static string Join(UpdatePosition position, string field) =>
        position.PathTaken.Count + position.PathToCreate.Count == 0 ? field : position.FullPath + "." + field;
}

/// <summary>An inner node for <c>$[]</c> (identifier "") and <c>$[identifier]</c> children.</summary>
internal sealed class UpdateArrayNode : UpdateNode
{
    public SortedDictionary<string, UpdateNode> Children { get; } = new(StringComparer.Ordinal);

    public override bool Apply(UpdateApplyState state, UpdatePosition position)
    {
        position = position.Resolve();
        if (!position.Exists)
        {
            throw MongoServerException.BadValue(
                $"The path '{position.FullPath}' must exist in the document in order to apply array updates.");
        }

        if (position.Element is not BsonArray array)
        {
            throw MongoServerException.BadValue(
                "Cannot apply array updates to non-array element " + BsonText.Element(position.FieldName, position.Element));
        }

        var changed = false;
        for (var i = 0; i < array.Count; i++)
        {
            UpdateNode? node = null;
            var path = position.FullPath + "." + i.ToString(CultureInfo.InvariantCulture);
            foreach (var (identifier, child) in Children)
            {
                if (identifier.Length > 0 && !ElementMatches(state, identifier, array[i]))
                {
                    continue;
                }

                node = node is null ? child : Merge(node, child, path);
            }

            if (node is not null)
            {
                changed |= node.Apply(state, position.Child(i.ToString(CultureInfo.InvariantCulture)));
            }
        }

        return changed;
    }

    /// <summary>An array filter names the element by its identifier: it is evaluated against <c>{ identifier: element }</c>.</summary>
    private static bool ElementMatches(UpdateApplyState state, string identifier, BsonValue element) =>
        state.ArrayFilters[identifier].Matches(new BsonDocument(identifier, element), state.Context.Expressions);
}
