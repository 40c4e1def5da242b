using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Expressions;
using PersistentTaskStatus.TestServer.Engine.Query;
using PersistentTaskStatus.TestServer.Storage;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// Schema validation with query-operator validators (https://www.mongodb.com/docs/manual/core/schema-validation/):
/// <c>validator</c>, <c>validationLevel</c> (strict, moderate, off) and <c>validationAction</c> (error, warn).
/// </summary>
internal static class DocumentValidation
{
    public static void CheckOptions(BsonDocument options)
    {
        if (options.TryGetValue("validator", out var validator))
        {
            if (validator is not BsonDocument document)
            {
                throw CommandArguments.WrongType("validator", validator, "object");
            }

            QueryFilter.Parse(document);
        }

        if (options.TryGetValue("validationLevel", out var level) && level.AsString is not ("strict" or "moderate" or "off"))
        {
            throw MongoServerException.BadValue($"Enumeration value '{level}' for field 'validationLevel' is not a valid value.");
        }

        if (options.TryGetValue("validationAction", out var action) && action.AsString is not ("error" or "warn"))
        {
            throw MongoServerException.BadValue($"Enumeration value '{action}' for field 'validationAction' is not a valid value.");
        }
    }

    /// <summary>
    /// Fails with DocumentValidationFailure (121) when <paramref name="document"/> breaks the collection's validator.
    /// <paramref name="previous"/> is the document an update starts from (null for an insert), for the moderate level,
    /// which does not check updates of documents that were already invalid.
    /// </summary>
    public static void Check(CollectionStore collection, BsonDocument document, BsonDocument? previous, ExpressionContext context)
    {
        if (!collection.Options.TryGetValue("validator", out var validator) || validator is not BsonDocument { ElementCount: > 0 } rules)
        {
            return;
        }

        var level = collection.Options.GetValue("validationLevel", "strict").AsString;
        var action = collection.Options.GetValue("validationAction", "error").AsString;
        if (level == "off" || action == "warn")
        {
            return;
        }

        var filter = QueryFilter.Parse(rules);
        if (level == "moderate" && previous is not null && !filter.Matches(previous, context))
        {
            return;
        }

        if (!filter.Matches(document, context))
        {
            throw new MongoServerException(ErrorCode.DocumentValidationFailure, "Document failed validation")
            {
                Details = new BsonDocument("errInfo", new BsonDocument
                {
                    { "failingDocumentId", document.GetValue("_id", BsonNull.Value) },
                    {
                        "details",
                        new BsonDocument
                        {
                            { "operatorName", "$and" },
                            { "specifiedAs", rules.DeepClone() },
                            { "reason", "the document does not match the validator" },
                        }
                    },
                }),
            };
        }
    }
}
