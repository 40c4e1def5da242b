using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine.Expressions;

namespace PersistentTaskStatus.TestServer.Engine.Query;

/// <summary>
/// <c>$elemMatch</c> with a query document (https://www.mongodb.com/docs/manual/reference/operator/query/elemMatch/):
/// an array with an element (a document, or an array seen as a document of indexes) that matches the whole query.
/// </summary>
internal sealed class ElemMatchDocumentPredicate(IMatcher query) : IValuePredicate
{
    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex)
    {
        if (value is not BsonArray array)
        {
            return false;
        }

        for (var i = 0; i < array.Count; i++)
        {
            var element = array[i] switch
            {
                BsonDocument document => document,
                BsonArray nested => ArrayAsDocument(nested),
                _ => null,
            };
            int? ignored = null;
            if (element is not null && query.Matches(element, context, ref ignored))
            {
                elementIndex = i;
                return true;
            }
        }

        return false;
    }

    private static BsonDocument ArrayAsDocument(BsonArray array)
    {
        var document = new BsonDocument();
        for (var i = 0; i < array.Count; i++)
        {
            document.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), array[i]);
        }

        return document;
    }
}

/// <summary><c>$elemMatch</c> with operators only: an array with one element that satisfies all of them.</summary>
internal sealed class ElemMatchValuePredicate(IValuePredicate condition) : IValuePredicate
{
    public bool Matches(BsonValue? value, ExpressionContext context, ref int? elementIndex)
    {
        if (value is not BsonArray array)
        {
            return false;
        }

        for (var i = 0; i < array.Count; i++)
        {
            int? ignored = null;
            if (condition.Matches(array[i], context, ref ignored))
            {
                elementIndex = i;
                return true;
            }
        }

        return false;
    }
}
