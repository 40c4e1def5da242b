namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary>
/// The order in which an update applies the fields of one level (the server's <c>cmpPathsAndArrayIndexes</c>):
/// since MongoDB 5.0, numeric names in numeric order, others in byte order
/// (https://www.mongodb.com/docs/manual/reference/operator/update/#behavior). New fields are appended in this order.
/// </summary>
internal sealed class PathOrder : IComparer<string>
{
    public static readonly PathOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = x ?? string.Empty;
        var b = y ?? string.Empty;

        // Zero-padded numbers and non-numbers compare as strings.
        if (a.Length == 0 || b.Length == 0 || !char.IsAsciiDigit(a[0]) || !char.IsAsciiDigit(b[0])
            || (a[0] == '0' && a.Length > 1) || (b[0] == '0' && b.Length > 1))
        {
            return string.CompareOrdinal(a, b);
        }

        // Digit-led names: the longer is the larger number.
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }
}
