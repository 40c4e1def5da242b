namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// Merges one operator's path into the update tree (the server's parseAndMerge). Two paths conflict when one is a
/// prefix of the other or they are equal, and when one level would need to be both an array node (for <c>$[]</c>
/// children) and an object node.
/// </summary>
internal static class UpdateTreeBuilder
{
    public static void Add(UpdateObjectNode root, IReadOnlyList<string> parts, string path, UpdateNode leaf)
    {
        UpdateNode current = root;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            var childShouldBeArray = UpdatePathParser.IsArrayFilter(parts[i + 1]);
            var existing = GetChild(current, parts[i]);
            if (existing is not null)
            {
                if ((childShouldBeArray && existing is not UpdateArrayNode) || (!childShouldBeArray && existing is not UpdateObjectNode))
                {
                    throw Conflict(path, string.Join('.', parts.Take(i + 1)));
                }

                current = existing;
                continue;
            }

            UpdateNode created = childShouldBeArray ? new UpdateArrayNode() : new UpdateObjectNode();
            SetChild(current, parts[i], created);
            current = created;
        }

        if (GetChild(current, parts[^1]) is not null)
        {
            throw Conflict(path, path);
        }

        SetChild(current, parts[^1], leaf);
    }

    private static MongoServerException Conflict(string path, string at) =>
        new(ErrorCode.ConflictingUpdateOperators, $"Updating the path '{path}' would create a conflict at '{at}'");

    private static UpdateNode? GetChild(UpdateNode node, string part) => node switch
    {
        UpdateArrayNode array => array.Children.GetValueOrDefault(UpdatePathParser.Identifier(part)),
        UpdateObjectNode obj when UpdatePathParser.IsPositional(part) => obj.Positional,
        UpdateObjectNode obj => obj.Children.GetValueOrDefault(part),
        _ => null,
    };

    private static void SetChild(UpdateNode node, string part, UpdateNode child)
    {
        switch (node)
        {
            case UpdateArrayNode array:
                array.Children[UpdatePathParser.Identifier(part)] = child;
                break;
            case UpdateObjectNode obj when UpdatePathParser.IsPositional(part):
                obj.Positional = child;
                break;
            case UpdateObjectNode obj:
                obj.Children[part] = child;
                break;
        }
    }
}
