using Spectre.Console;

namespace PersistentTaskStatus.Cli;

/// <summary>The tables of <c>list</c> and <c>show</c>: no borders, bold headers, columns aligned (easy to read and to grep).</summary>
internal static class Tables
{
    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(header)}[/]") { Padding = new Padding(0, 0, 2, 0) });
        }

        return table;
    }

    public static void AlignRight(Table table, params int[] columns)
    {
        foreach (var column in columns)
        {
            table.Columns[column].RightAligned();
        }
    }

    /// <summary>A count, coloured when it is not zero.</summary>
    public static string Count(int value, string style) => value == 0 ? "0" : $"[{style}]{value}[/]";
}
