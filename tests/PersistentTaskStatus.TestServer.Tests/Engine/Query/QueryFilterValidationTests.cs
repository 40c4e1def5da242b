using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Query;

namespace PersistentTaskStatus.TestServer.Tests.Engine.Query;

// Filters MongoDB refuses at parse time, with its codes and messages (src/mongo/db/matcher/expression_parser.cpp;
// operator rules from https://www.mongodb.com/docs/manual/reference/operator/query/).
public sealed class QueryFilterValidationTests
{
    [Theory]
    [InlineData("{ a: { $foo: 1 } }", 2, "unknown operator: $foo")]
    [InlineData("{ a: { $gt: 1, b: 2 } }", 2, "unknown operator: b")]
    [InlineData("{ a: { $and: [{ b: 1 }] } }", 2, "unknown operator: $and")]
    [InlineData("{ $bar: 1 }", 2, "unknown top level operator: $bar. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.")]
    [InlineData("{ $and: 1 }", 2, "$and must be an array")]
    [InlineData("{ $or: [] }", 2, "$and/$or/$nor must be a nonempty array")]
    [InlineData("{ $nor: [1] }", 2, "$or/$and/$nor entries need to be full objects")]
    [InlineData("{ a: { $in: 1 } }", 2, "$in needs an array")]
    [InlineData("{ a: { $nin: 'x' } }", 2, "$nin needs an array")]
    [InlineData("{ a: { $in: [{ $gt: 1 }] } }", 2, "cannot nest $ under $in")]
    [InlineData("{ a: { $all: 1 } }", 2, "$all needs an array")]
    [InlineData("{ a: { $all: [{ $elemMatch: { b: 1 } }, 5] } }", 2, "$all/$elemMatch has to be consistent")]
    [InlineData("{ a: { $all: [{ $gt: 1 }] } }", 2, "no $ expressions in $all")]
    [InlineData("{ a: { $size: 'x' } }", 2, "$size needs a number")]
    [InlineData("{ a: { $size: -1 } }", 2, "$size may not be negative")]
    [InlineData("{ a: { $size: 2.1 } }", 2, "$size must be a whole number")]
    [InlineData("{ a: { $options: 'i' } }", 2, "$options needs a $regex")]
    [InlineData("{ a: { $not: 5 } }", 2, "$not needs a regex or a document")]
    [InlineData("{ a: { $not: {} } }", 2, "$not cannot be empty")]
    [InlineData("{ a: { $elemMatch: 5 } }", 2, "$elemMatch needs an Object")]
    [InlineData("{ a: { $elemMatch: { $expr: { $eq: [1, 1] } } } }", 2, "$expr can only be applied to the top-level document")]
    [InlineData("{ a: { $type: 'foo' } }", 2, "Unknown type name alias: foo")]
    [InlineData("{ a: { $type: 99 } }", 2, "Invalid numerical type code: 99")]
    [InlineData("{ a: { $type: true } }", 14, "type must be represented as a number or a string")]
    [InlineData("{ a: { $mod: 4 } }", 2, "malformed mod, needs to be an array")]
    [InlineData("{ a: { $mod: [4] } }", 2, "malformed mod, not enough elements")]
    [InlineData("{ a: { $mod: [4, 1, 2] } }", 2, "malformed mod, too many elements")]
    [InlineData("{ a: { $mod: ['x', 1] } }", 2, "malformed mod, divisor not a number")]
    [InlineData("{ a: { $mod: [4, 'x'] } }", 2, "malformed mod, remainder not a number")]
    [InlineData("{ a: { $mod: [0, 1] } }", 2, "divisor cannot be 0")]
    [InlineData("{ a: { $gt: /x/ } }", 2, "Can't have RegEx as arg to predicate over field 'a'.")]
    [InlineData("{ a: { $ne: /x/ } }", 2, "Can't have regex as arg to $ne.")]
    public void Invalid_filters_are_refused_with_MongoDBs_error(string filter, int code, string message)
    {
        var error = Assert.Throws<MongoServerException>(() => QueryFilter.Parse(BsonDocument.Parse(filter)));

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    // Built in code: the JSON reader would read { $regex, $options } as a regular expression literal.
    public static TheoryData<BsonDocument, int, string> InvalidRegexOperators => new()
    {
        { new BsonDocument("$regex", 5), 2, "$regex has to be a string" },
        { new BsonDocument { { "$regex", "x" }, { "$options", 5 } }, 2, "$options has to be a string" },
        { new BsonDocument { { "$regex", "x" }, { "$options", "g" } }, 51108, " invalid flag in regex options: g" },
        { new BsonDocument("$regex", new BsonRegularExpression("x", "g")), 51108, " invalid flag in regex options: g" },
        {
            new BsonDocument { { "$regex", new BsonRegularExpression("x", "i") }, { "$options", "m" } },
            51075,
            "options set in both $regex and $options"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidRegexOperators))]
    public void Invalid_regex_operators_are_refused(BsonDocument operators, int code, string message)
    {
        var error = Assert.Throws<MongoServerException>(() => QueryFilter.Parse(new BsonDocument("a", operators)));

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("{ $where: 'this.a == 1' }")]
    [InlineData("{ $text: { $search: 'x' } }")]
    [InlineData("{ loc: { $near: [0, 0] } }")]
    [InlineData("{ a: { $bitsAllSet: 1 } }")]
    public void Unimplemented_operators_are_reported_as_not_supported(string filter)
    {
        var error = Assert.Throws<MongoServerException>(() => QueryFilter.Parse(BsonDocument.Parse(filter)));

        Assert.Equal((int)ErrorCode.NotImplemented, error.Code);
    }

    [Theory]
    [InlineData("{ a: { $exists: 'anything' } }")]
    [InlineData("{ a: { $type: ['string', 16] } }")]
    [InlineData("{ a: { $ref: 'c', $id: 1 } }")]
    [InlineData("{ $and: [{ $expr: { $eq: ['$a', 1] } }] }")]
    public void Valid_filters_parse(string filter) => QueryFilter.Parse(BsonDocument.Parse(filter));
}
