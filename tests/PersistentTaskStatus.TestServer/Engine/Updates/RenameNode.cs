using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// <c>$rename</c> (https://www.mongodb.com/docs/manual/reference/operator/update/rename/), placed in the tree at the
/// destination path as the server does: it reads the source from the document, sets it at the destination (in place
/// when the destination exists, appended otherwise) and then removes the source. Neither path may go through an array.
/// </summary>
internal sealed class RenameNode(string from, string to) : UpdateNode
{
    public override bool Apply(UpdateApplyState state, UpdatePosition position)
    {
        var source = FindSource(state);
        if (source is null)
        {
            return false;
        }

        CheckDestinationHasNoArray(state, position);

        var changed = new SetNode(source.Element).Apply(state, position);
        changed |= new UnsetNode().Apply(state, source);
        return changed;
    }

    private UpdatePosition? FindSource(UpdateApplyState state)
    {
        var parts = from.Split('.');
        var position = UpdatePosition.Root(state.Root);
        foreach (var part in parts)
        {
            position = position.Child(part);
            if (!position.Exists)
            {
                if (position.Element is not BsonDocument && position.Element is not BsonArray)
                {
                    throw new MongoServerException(
                        ErrorCode.PathNotViable,
                        $"Cannot use the part ({part}) of ({from}) to traverse the element ({{{BsonText.Element(position.FieldName, position.Element)}}})");
                }

                return null;
            }
        }

        // The renamed element may be an array, but none of its ancestors.
        var container = (BsonValue)state.Root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            container = container is BsonArray array ? array[int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture)] : container[parts[i]];
            if (container is BsonArray)
            {
                throw MongoServerException.BadValue(
                    $"The source field cannot be an array element, '{from}' in doc with {ModifierNode.IdText(state)} has an array field called '{parts[i]}'");
            }
        }

        return position;
    }

    private void CheckDestinationHasNoArray(UpdateApplyState state, UpdatePosition position)
    {
        // When the destination exists it is overwritten and may itself be an array; its ancestors may not.
        var depth = position.Exists ? position.PathTaken.Count - 1 : position.PathTaken.Count;
        BsonValue current = state.Root;
        for (var i = 0; i < depth; i++)
        {
            UpdatePosition.TryGetChild(current, position.PathTaken[i], out current);
            if (current is BsonArray)
            {
                throw MongoServerException.BadValue(
                    $"The destination field cannot be an array element, '{to}' in doc with {ModifierNode.IdText(state)} has an array field called '{position.PathTaken[i]}'");
            }
        }
    }
}
