using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>Validates an update path (the server's fieldchecker and positional checks) and splits it.</summary>
internal static class UpdatePathParser
{
    public static bool IsPositional(string part) => part == "$";

    public static bool IsArrayFilter(string part) => part.StartsWith("$[", StringComparison.Ordinal) && part.EndsWith(']');

    public static bool IsDynamic(string part) => IsPositional(part) || IsArrayFilter(part);

    /// <summary>The identifier of <c>$[identifier]</c>; "" for <c>$[]</c>.</summary>
    public static string Identifier(string part) => part[2..^1];

    public static IReadOnlyList<string> Parse(string path, IReadOnlyDictionary<string, QueryFilter> filters, HashSet<string> used)
    {
        if (path.Length == 0)
        {
            throw new MongoServerException(ErrorCode.EmptyFieldName, "An empty update path is not valid.");
        }

        var parts = path.Split('.');
        if (parts.Any(part => part.Length == 0))
        {
            throw new MongoServerException(
                ErrorCode.EmptyFieldName,
                $"The update path '{path}' contains an empty field name, which is not allowed.");
        }

        var positional = parts.Count(IsPositional);
        if (positional > 1)
        {
            throw MongoServerException.BadValue($"Too many positional (i.e. '$') elements found in path '{path}'");
        }

        if (IsPositional(parts[0]))
        {
            throw MongoServerException.BadValue($"Cannot have positional (i.e. '$') element in the first position in path '{path}'");
        }

        if (IsArrayFilter(parts[0]))
        {
            throw MongoServerException.BadValue(
                $"Cannot have array filter identifier (i.e. '$[<id>]') element in the first position in path '{path}'");
        }

        foreach (var part in parts.Where(IsArrayFilter))
        {
            var identifier = Identifier(part);
            if (identifier.Length == 0)
            {
                continue;
            }

            if (!filters.ContainsKey(identifier))
            {
                throw MongoServerException.BadValue($"No array filter found for identifier '{identifier}' in path '{path}'");
            }

            used.Add(identifier);
        }

        return parts;
    }
}
