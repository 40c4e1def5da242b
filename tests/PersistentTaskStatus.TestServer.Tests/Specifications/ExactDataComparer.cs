namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The comparison of <c>outcome</c> collection data: "the rules in Evaluating Matches do not apply and the documents
/// MUST match exactly; however, test runners MUST permit variations in document key order". So no extra fields at any
/// level, no special operators, and no flexible numerics: an int32 1 is not a double 1.0 nor an int64 1.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#executing-a-test
/// </summary>
internal static class ExactDataComparer
{
    /// <summary>Null when the collection's documents equal the expected ones, else the first difference.</summary>
    public static string? CompareCollection(BsonArray expected, IReadOnlyList<BsonDocument> actual)
    {
        if (expected.Count != actual.Count)
        {
            return $"expected {expected.Count} document(s) {expected.ToJson()}, the collection holds {actual.Count}: {new BsonArray(actual).ToJson()}";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var failure = Compare(expected[i], actual[i], $"[{i}]");
            if (failure is not null)
            {
                return $"{failure}; expected document {expected[i].ToJson()}, actual {actual[i].ToJson()}";
            }
        }

        return null;
    }

    public static string? Compare(BsonValue expected, BsonValue actual, string path)
    {
        if (expected.BsonType != actual.BsonType)
        {
            return $"{path}: expected {expected.ToJson()} ({expected.BsonType}), got {actual.ToJson()} ({actual.BsonType})";
        }

        switch (expected)
        {
            case BsonDocument expectedDocument:
                var actualDocument = actual.AsBsonDocument;
                foreach (var element in expectedDocument)
                {
                    if (!actualDocument.TryGetValue(element.Name, out var actualValue))
                    {
                        return $"{path}.{element.Name}: missing";
                    }

                    var failure = Compare(element.Value, actualValue, $"{path}.{element.Name}");
                    if (failure is not null)
                    {
                        return failure;
                    }
                }

                var extra = actualDocument.Names.Where(n => !expectedDocument.Contains(n)).ToList();
                return extra.Count == 0 ? null : $"{path}: unexpected field(s) {string.Join(", ", extra)}";
            case BsonArray expectedArray:
                var actualArray = actual.AsBsonArray;
                if (expectedArray.Count != actualArray.Count)
                {
                    return $"{path}: expected {expectedArray.Count} element(s), got {actualArray.Count}";
                }

                for (var i = 0; i < expectedArray.Count; i++)
                {
                    var failure = Compare(expectedArray[i], actualArray[i], $"{path}[{i}]");
                    if (failure is not null)
                    {
                        return failure;
                    }
                }

                return null;
            default:
                return expected.Equals(actual) ? null : $"{path}: expected {expected.ToJson()}, got {actual.ToJson()}";
        }
    }
}
