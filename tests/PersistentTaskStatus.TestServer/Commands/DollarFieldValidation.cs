using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// The storage validation of an updated document below featureCompatibilityVersion 5.0 (MongoDB's
/// <c>storage_validation.cpp</c>): a field name starting with <c>$</c> is refused at every depth with
/// DollarPrefixedFieldName (52), except a DBRef's <c>$ref</c>, <c>$id</c> and <c>$db</c> in their order. From 5.0 on
/// MongoDB checks only the top level, so nested <c>$</c> fields written through <c>$literal</c> or <c>$setField</c>
/// are stored. Names with dots are not checked in either. Inserts are not validated this way.
/// </summary>
internal static class DollarFieldValidation
{
    public static void Check(BsonDocument document) => CheckFields(document, path: "");

    private static void CheckFields(BsonDocument document, string path)
    {
        for (var i = 0; i < document.ElementCount; i++)
        {
            var element = document.GetElement(i);
            var fullName = path.Length == 0 ? element.Name : $"{path}.{element.Name}";
            if (element.Name.StartsWith('$'))
            {
                CheckDollarPrefixed(document, i, fullName);
            }

            CheckValue(element.Value, fullName);
        }
    }

    private static void CheckValue(BsonValue value, string path)
    {
        switch (value)
        {
            case BsonDocument nested:
                CheckFields(nested, path);
                break;
            case BsonArray array:
                // The names of array elements are their indexes: only what they hold is checked.
                for (var i = 0; i < array.Count; i++)
                {
                    CheckValue(array[i], $"{path}.{i}");
                }

                break;
        }
    }

    private static void CheckDollarPrefixed(BsonDocument document, int index, string fullName)
    {
        var name = document.GetElement(index).Name;
        if (name == "$db")
        {
            Require(document[index] is BsonString, $"The DBRef $db field must be a String, not a {BsonTypeNames.Of(document[index])}");
            Require(index > 0 && document.GetElement(index - 1).Name == "$id", "Found $db field without a $id before it, which is invalid.");
            index--;
            name = "$id";
        }

        if (name == "$id")
        {
            Require(index > 0 && document.GetElement(index - 1).Name == "$ref", "Found $id field without a $ref before it, which is invalid.");
            index--;
            name = "$ref";
        }

        if (name == "$ref")
        {
            Require(document[index] is BsonString, $"The DBRef $ref field must be a String, not a {BsonTypeNames.Of(document[index])}");
            Require(index + 1 < document.ElementCount && document.GetElement(index + 1).Name == "$id", "The DBRef $ref field must be followed by a $id field");
            return;
        }

        throw new MongoServerException(
            ErrorCode.DollarPrefixedFieldName,
            $"The dollar ($) prefixed field '{name}' in '{fullName}' is not valid for storage.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new MongoServerException(ErrorCode.InvalidDBRef, message);
        }
    }
}
