using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace PersistentTaskStatus.Dashboard.Rendering;

/// <summary>
/// Builds HTML where only constant markup goes in raw: every text and attribute value passes through
/// <see cref="HtmlEncoder"/>, which encodes <c>&lt; &gt; &amp; " '</c> (and more), so a task name or an error message
/// can never become markup. Attribute values are always double-quoted.
/// </summary>
internal sealed class Html
{
    // All of Unicode kept as it is (a name in Greek or Japanese stays readable and small); the characters that
    // matter to HTML are encoded whatever the range.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringWriter writer;

    public Html(int capacity = 4096) => writer = new StringWriter(new System.Text.StringBuilder(capacity), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Encodes <paramref name="value"/> for use as text or as a double-quoted attribute value.</summary>
    public static string Encode(string value) => Encoder.Encode(value);

    /// <summary>Constant markup written by this assembly; never user data.</summary>
    public Html Raw(string markup)
    {
        writer.Write(markup);
        return this;
    }

    /// <summary>Text content, encoded.</summary>
    public Html Text(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Encoder.Encode(writer, value);
        }

        return this;
    }

    /// <summary>An attribute, <c> name="value"</c>, its value encoded; nothing when the value is null.</summary>
    public Html Attr(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        writer.Write(' ');
        writer.Write(name);
        writer.Write("=\"");
        Encoder.Encode(writer, value);
        writer.Write('"');
        return this;
    }

    /// <summary>An element with encoded text content and an optional class.</summary>
    public Html Element(string tag, string? cssClass, string? text)
    {
        writer.Write('<');
        writer.Write(tag);
        Attr("class", cssClass);
        writer.Write('>');
        Text(text);
        writer.Write("</");
        writer.Write(tag);
        writer.Write('>');
        return this;
    }

    public override string ToString() => writer.ToString();
}
