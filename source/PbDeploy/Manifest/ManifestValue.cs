using System.Globalization;

namespace PbDeploy.Manifest;

/// <summary>
/// A JSON value of the manifest as written, with where it starts in the file. Numbers keep their text, so that a port
/// of <c>99999999999999999999999</c> is reported as written; strings are <see cref="TemplateString"/>s.
/// </summary>
public sealed class ManifestValue
{
    private static readonly IReadOnlyList<ManifestValue> NoItems = [];
    private static readonly IReadOnlyList<ManifestProperty> NoProperties = [];

    private ManifestValue(ManifestValueKind kind, SourceLocation location)
    {
        Kind = kind;
        Location = location;
    }

    /// <summary>What the value is.</summary>
    public ManifestValueKind Kind { get; }

    /// <summary>Where the value starts: its first character (a string's opening quote).</summary>
    public SourceLocation Location { get; }

    /// <summary>The string, for <see cref="ManifestValueKind.String"/>; otherwise null.</summary>
    public TemplateString? String { get; private init; }

    /// <summary>The number as written, for <see cref="ManifestValueKind.Number"/>; otherwise null.</summary>
    public string? NumberText { get; private init; }

    /// <summary>The value of a <see cref="ManifestValueKind.Boolean"/>.</summary>
    public bool Boolean { get; private init; }

    /// <summary>The elements of an array, in order; empty for any other value.</summary>
    public IReadOnlyList<ManifestValue> Items { get; private init; } = NoItems;

    /// <summary>The keys of an object, in file order; empty for any other value.</summary>
    public IReadOnlyList<ManifestProperty> Properties { get; private init; } = NoProperties;

    /// <summary>
    /// A <see cref="ManifestValueKind.Null"/> that is written <c>null</c>: a setting's default. A value left out
    /// (<c>"port": ,</c>) or <c>undefined</c> is null too, but not a default: it is an error where a value is needed.
    /// </summary>
    internal bool IsNull => Kind == ManifestValueKind.Null && !IsUndefined;

    /// <summary>A value left out (<c>"port": ,</c>) or written <c>undefined</c>.</summary>
    internal bool IsUndefined { get; private init; }

    /// <summary>A number written without fraction nor exponent (JSON's integers): <c>8080</c>, not <c>8080.0</c> nor <c>1e3</c>.</summary>
    public bool IsInteger => NumberText is { } text && text.AsSpan().IndexOfAny('.', 'e', 'E') < 0;

    /// <summary>The value of key <paramref name="name"/> of an object, or null when it has none (or is no object).</summary>
    public ManifestValue? this[string name] => Property(name)?.Value;

    /// <summary>The key <paramref name="name"/> of an object, or null.</summary>
    public ManifestProperty? Property(string name)
    {
        foreach (var property in Properties)
        {
            if (string.Equals(property.Name, name, StringComparison.Ordinal))
            {
                return property;
            }
        }

        return null;
    }

    /// <summary>An integer that fits in a <see cref="long"/>.</summary>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        return IsInteger && long.TryParse(NumberText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The number as a double (a huge one is infinite); 0 for any other value.</summary>
    public double ToDouble() =>
        NumberText is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;

    internal static ManifestValue Null(SourceLocation location) => new(ManifestValueKind.Null, location);

    internal static ManifestValue Undefined(SourceLocation location) => new(ManifestValueKind.Null, location) { IsUndefined = true };

    internal static ManifestValue FromBoolean(bool value, SourceLocation location) => new(ManifestValueKind.Boolean, location) { Boolean = value };

    internal static ManifestValue FromNumber(string text, SourceLocation location) => new(ManifestValueKind.Number, location) { NumberText = text };

    internal static ManifestValue FromString(TemplateString text) => new(ManifestValueKind.String, text.Location) { String = text };

    internal static ManifestValue FromItems(IReadOnlyList<ManifestValue> items, SourceLocation location) => new(ManifestValueKind.Array, location) { Items = items };

    /// <summary><paramref name="value"/>, placed at <paramref name="location"/> instead.</summary>
    internal static ManifestValue Relocated(ManifestValue value, SourceLocation location) => new(value.Kind, location)
    {
        String = value.String,
        NumberText = value.NumberText,
        Boolean = value.Boolean,
        IsUndefined = value.IsUndefined,
        Items = value.Items,
        Properties = value.Properties,
    };

    internal static ManifestValue FromProperties(IReadOnlyList<ManifestProperty> properties, SourceLocation location) =>
        new(ManifestValueKind.Object, location) { Properties = properties };
}
