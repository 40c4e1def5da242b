using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Projection;

internal enum ProjectionKind
{
    /// <summary>An inner node for a dotted path or a sub-projection document.</summary>
    Path,
    Include,
    Exclude,
    Expression,
    Slice,
    ElemMatch,
    Positional,
}

/// <summary>One node of a parsed projection tree; children keep the projection's order.</summary>
internal sealed class ProjectionNode
{
    private readonly Dictionary<string, ProjectionNode> children = new(StringComparer.Ordinal);
    private readonly List<string> order = [];

    public ProjectionNode(ProjectionKind kind)
    {
        Kind = kind;
    }

    public ProjectionKind Kind { get; }

    public BsonValue? Expression { get; init; }

    public int? SliceSkip { get; init; }

    public int SliceLimit { get; init; }

    /// <summary>For <c>$elemMatch</c>: the filter <c>{ field: { $elemMatch: ... } }</c>.</summary>
    public QueryFilter? ElemMatch { get; init; }

    public IReadOnlyList<string> Order => order;

    public bool TryGetChild(string name, out ProjectionNode child) => children.TryGetValue(name, out child!);

    public ProjectionNode Child(string name) => children[name];

    public void Add(string name, ProjectionNode child)
    {
        children.Add(name, child);
        order.Add(name);
    }

    public void Remove(string name)
    {
        children.Remove(name);
        order.Remove(name);
    }

    /// <summary>Whether this subtree computes values (which create documents where the source has none).</summary>
    public bool HasComputedFields() =>
        Kind == ProjectionKind.Expression
        || (Kind == ProjectionKind.Path && children.Values.Any(c => c.HasComputedFields()));
}
