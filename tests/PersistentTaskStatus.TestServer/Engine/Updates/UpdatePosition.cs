using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// Where a node of the update tree applies: the deepest element of its path that exists (<see cref="Element"/>,
/// reached through <see cref="PathTaken"/>) and the rest of the path that does not exist yet
/// (<see cref="PathToCreate"/>), as the server's <c>pathTaken</c> / <c>pathToCreate</c>.
/// </summary>
internal sealed class UpdatePosition
{
    public UpdatePosition(BsonValue element, BsonValue? parent, IReadOnlyList<string> pathTaken, IReadOnlyList<string> pathToCreate)
    {
        Element = element;
        Parent = parent;
        PathTaken = pathTaken;
        PathToCreate = pathToCreate;
    }

    public BsonValue Element { get; }

    /// <summary>The document or array that holds <see cref="Element"/>; null for the root document.</summary>
    public BsonValue? Parent { get; }

    public IReadOnlyList<string> PathTaken { get; }

    public IReadOnlyList<string> PathToCreate { get; }

    public bool Exists => PathToCreate.Count == 0;

    public string FieldName => PathTaken.Count == 0 ? string.Empty : PathTaken[^1];

    public string FullPath => string.Join('.', PathTaken.Concat(PathToCreate));

    public static UpdatePosition Root(BsonDocument document) => new(document, null, [], []);

    /// <summary>
    /// Moves along <see cref="PathToCreate"/> as far as the document now goes: a sibling node may have created
    /// part of the path since this position was computed.
    /// </summary>
    public UpdatePosition Resolve()
    {
        var position = this;
        while (position.PathToCreate.Count > 0)
        {
            var field = position.PathToCreate[0];
            if (!TryGetChild(position.Element, field, out var child))
            {
                return position;
            }

            position = new UpdatePosition(child, position.Element, [.. position.PathTaken, field], [.. position.PathToCreate.Skip(1)]);
        }

        return position;
    }

    /// <summary>The position of a child field (an array index when the element is an array).</summary>
    public UpdatePosition Child(string field)
    {
        if (Exists && TryGetChild(Element, field, out var child))
        {
            return new UpdatePosition(child, Element, [.. PathTaken, field], []);
        }

        return new UpdatePosition(Element, Parent, PathTaken, [.. PathToCreate, field]);
    }

    /// <summary>Replaces the existing element's value in its parent.</summary>
    public void Replace(BsonValue value)
    {
        switch (Parent)
        {
            case BsonDocument document:
                document[FieldName] = value;
                break;
            case BsonArray array:
                array[int.Parse(FieldName, System.Globalization.CultureInfo.InvariantCulture)] = value;
                break;
            default:
                throw new InvalidOperationException("The root document cannot be replaced by an update operator");
        }
    }

    public static bool TryGetChild(BsonValue container, string field, out BsonValue child)
    {
        if (container is BsonDocument document && document.TryGetValue(field, out child))
        {
            return true;
        }

        if (container is BsonArray array && TryParseIndex(field, out var index) && index < array.Count)
        {
            child = array[index];
            return true;
        }

        child = BsonNull.Value;
        return false;
    }

    /// <summary>The server's parseUnsignedBase10Integer: digits only.</summary>
    public static bool TryParseIndex(string field, out int index)
    {
        index = 0;
        if (field.Length == 0 || !field.All(char.IsAsciiDigit))
        {
            return false;
        }

        return int.TryParse(field, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }
}
