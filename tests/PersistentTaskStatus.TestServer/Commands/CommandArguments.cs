using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>Typed reads of command fields, failing as MongoDB does when a field has the wrong type.</summary>
internal static class CommandArguments
{
    /// <summary>The fields every command may carry that no handler needs to look at.</summary>
    private static readonly HashSet<string> GenericFields = new(StringComparer.Ordinal)
    {
        "$db", "lsid", "txnNumber", "$clusterTime", "$readPreference", "readConcern", "writeConcern", "comment",
        "maxTimeMS", "apiVersion", "apiStrict", "apiDeprecationErrors", "$audit", "$client", "bypassDocumentValidation",
    };

    public static bool IsGeneric(string field) => GenericFields.Contains(field);

    public static string CollectionName(CommandRequest request)
    {
        if (request.Target is not BsonString name)
        {
            throw new MongoServerException(
                ErrorCode.InvalidNamespace,
                $"collection name has invalid type {TypeName(request.Target)}");
        }

        if (name.Value.Length == 0)
        {
            throw new MongoServerException(ErrorCode.InvalidNamespace, $"Invalid namespace specified '{request.Database}.'");
        }

        return name.Value;
    }

    public static BsonDocument? OptionalDocument(BsonDocument command, string field)
    {
        if (!command.TryGetValue(field, out var value) || value.IsBsonNull)
        {
            return null;
        }

        return value as BsonDocument ?? throw WrongType(field, value, "object");
    }

    public static BsonArray? OptionalArray(BsonDocument command, string field)
    {
        if (!command.TryGetValue(field, out var value) || value.IsBsonNull)
        {
            return null;
        }

        return value as BsonArray ?? throw WrongType(field, value, "array");
    }

    public static bool OptionalBoolean(BsonDocument command, string field, bool defaultValue = false)
    {
        if (!command.TryGetValue(field, out var value) || value.IsBsonNull)
        {
            return defaultValue;
        }

        return value.BsonType switch
        {
            BsonType.Boolean => value.AsBoolean,
            BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => BsonOrder.ToDouble(value) != 0,
            _ => throw WrongType(field, value, "bool"),
        };
    }

    public static long? OptionalInt64(BsonDocument command, string field)
    {
        if (!command.TryGetValue(field, out var value) || value.IsBsonNull)
        {
            return null;
        }

        if (!BsonOrder.IsNumber(value))
        {
            throw WrongType(field, value, "long");
        }

        var number = BsonOrder.ToDouble(value);
        if (number != Math.Floor(number))
        {
            throw MongoServerException.FailedToParse($"Expected an integer: {field}: {value.ToJson()}");
        }

        return BsonOrder.ToInt64(value);
    }

    public static MongoServerException WrongType(string field, BsonValue value, string expected) =>
        MongoServerException.TypeMismatch(
            $"BSON field '{field}' is the wrong type '{TypeName(value)}', expected type '{expected}'");

    public static string TypeName(BsonValue value) => BsonTypeNames.Of(value);

    /// <summary>Rejects options this server does not implement, so that none is silently ignored.</summary>
    public static void RejectUnsupported(BsonDocument command, params string[] fields)
    {
        foreach (var field in fields)
        {
            if (command.TryGetValue(field, out var value) && !value.IsBsonNull)
            {
                throw MongoServerException.NotSupported($"The '{field}' option of '{command.GetElement(0).Name}'");
            }
        }
    }

    /// <summary>Collation: only the simple (binary) collation is implemented.</summary>
    public static void RejectCollation(BsonDocument spec)
    {
        if (spec.TryGetValue("collation", out var collation) && collation is BsonDocument document &&
            !(document.ElementCount == 1 && document.GetValue("locale", "") == "simple"))
        {
            throw MongoServerException.NotSupported("A collation other than { locale: \"simple\" }");
        }
    }
}
