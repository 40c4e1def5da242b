using System.Text.RegularExpressions;
using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>
/// <c>$regex</c> (https://www.mongodb.com/docs/manual/reference/operator/query/regex/): matches strings and symbols
/// against the pattern, and a stored regular expression with the same pattern and options.
/// </summary>
internal sealed class RegexPredicate : IValuePredicate
{
    private const string ValidOptions = "imsxu";

    private readonly Regex regex;

    public RegexPredicate(string pattern, string options)
    {
        Pattern = pattern;
        Options = options;
        regex = Compile(pattern, options);
    }

    public string Pattern { get; }

    public string Options { get; }

    public static RegexPredicate From(BsonRegularExpression regex) => new(regex.Pattern, regex.Options);

    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex) => value switch
    {
        BsonString s => regex.IsMatch(s.Value),
        BsonSymbol symbol => regex.IsMatch(symbol.Name),
        BsonRegularExpression stored => stored.Pattern == Pattern && stored.Options == Options,
        _ => false,
    };

    /// <summary>Compiles a PCRE-style pattern with MongoDB's option letters into a .NET regular expression.</summary>
    public static Regex Compile(string pattern, string options)
    {
        var regexOptions = RegexOptions.CultureInvariant;
        foreach (var option in options)
        {
            regexOptions |= option switch
            {
                'i' => RegexOptions.IgnoreCase,
                'm' => RegexOptions.Multiline,
                's' => RegexOptions.Singleline,
                'x' => RegexOptions.IgnorePatternWhitespace,
                'u' => RegexOptions.None,
                // MongoDB's message for this error starts with a space (its operator-name prefix is empty here).
                _ => throw new MongoServerException(
                    51108, "Location51108", $" invalid flag in regex options: {option}"),
            };
        }

        if (pattern.Contains('\0', StringComparison.Ordinal))
        {
            throw new MongoServerException(
                51109, "Location51109", "Regular expression cannot contain an embedded null byte");
        }

        try
        {
            return new Regex(pattern, regexOptions);
        }
        catch (ArgumentException e)
        {
            throw new MongoServerException(51091, "Location51091", $"Regular expression is invalid: {e.Message}");
        }
    }

    public static bool IsValidOption(char option) => ValidOptions.Contains(option, StringComparison.Ordinal);
}
