// Longer than 400 lines: one grammar, one recursive-descent parser (lexer, precedence levels, the spatial and temporal literals); split up, a production would no longer read beside the ones it calls.
using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace Alkmaar.Kaart.Geo.Cql2;

/// <summary>A CQL2 text the parser refuses: what is wrong and where (0-based character position).</summary>
public sealed class Cql2Exception(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}

/// <summary>What a filter is evaluated against: a feature's properties by name and its geometry.</summary>
public interface ICql2Feature
{
    /// <summary>The value of a property (string, number, bool, or null), or null when the feature does not have it.</summary>
    object? Property(string name);

    Geometry? Geometry { get; }
}

/// <summary>
/// A parsed CQL2 boolean expression. <see cref="Evaluate"/> follows SQL's three-valued logic: a comparison with a missing
/// (null) value is unknown (null), and a feature is selected only when the whole expression is true.
/// </summary>
public abstract record Cql2Expression
{
    public abstract bool? Evaluate(ICql2Feature feature);

    public bool Matches(ICql2Feature feature) => Evaluate(feature) == true;
}

/// <summary>
/// A parser for CQL2 text (OGC 21-065r2) as far as OGC API Features Part 3 clients use it: Basic CQL2 (comparisons
/// <c>= &lt;&gt; &lt; &gt; &lt;= &gt;=</c>, <c>AND</c>, <c>OR</c>, <c>NOT</c>, <c>IS [NOT] NULL</c>, literals: strings,
/// numbers, booleans, <c>DATE('…')</c>, <c>TIMESTAMP('…')</c>), Advanced Comparison Operators (<c>[NOT] LIKE</c> with
/// <c>%</c> and <c>_</c>, <c>[NOT] IN (…)</c>, <c>[NOT] BETWEEN … AND …</c>) and the spatial function
/// <c>S_INTERSECTS</c> with a <c>BBOX(…)</c> or any WKT geometry (POINT, LINESTRING, POLYGON, MULTI…). Keywords are
/// case-insensitive; property names are identifiers or "double-quoted" and must be among the queryables.
/// </summary>
public static class Cql2Text
{
    /// <summary>The longest LIKE pattern a filter may hold (characters).</summary>
    public const int MaxLikePatternLength = 200;

    /// <summary>The most wildcards (<c>%</c> and <c>_</c>) one LIKE pattern may hold.</summary>
    public const int MaxLikeWildcards = 20;

    /// <param name="text">The filter.</param>
    /// <param name="queryables">The property names the filter may use (the geometry property included).</param>
    /// <param name="geometryProperty">The name of the geometry queryable (<c>geometry</c>).</param>
    /// <param name="toStorage">Turns a literal geometry (in the filter's CRS) into the features' CRS.</param>
    public static Cql2Expression Parse(string text, IReadOnlySet<string> queryables, string geometryProperty, Func<Geometry, Geometry> toStorage)
    {
        var parser = new Parser(text, queryables, geometryProperty, toStorage);
        var e = parser.Or();
        parser.ExpectEnd();
        return e;
    }

    // ------------------------------------------------------------------------------------------------ expressions
    private abstract record Scalar
    {
        public abstract object? Value(ICql2Feature f);
    }

    private sealed record PropertyRef(string Name) : Scalar
    {
        public override object? Value(ICql2Feature f) => Normalize(f.Property(Name));
    }

    private sealed record Literal(object? Constant) : Scalar
    {
        public override object? Value(ICql2Feature f) => Constant;
    }

    private sealed record And(Cql2Expression A, Cql2Expression B) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f)
        {
            var a = A.Evaluate(f);
            if (a is false) return false;
            var b = B.Evaluate(f);
            return b is false ? false : a is true && b is true ? true : null;
        }
    }

    private sealed record Or(Cql2Expression A, Cql2Expression B) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f)
        {
            var a = A.Evaluate(f);
            if (a is true) return true;
            var b = B.Evaluate(f);
            return b is true ? true : a is false && b is false ? false : null;
        }
    }

    private sealed record Not(Cql2Expression A) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f) => A.Evaluate(f) is { } v ? !v : null;
    }

    private sealed record Constant(bool Value) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f) => Value;
    }

    private sealed record Comparison(Scalar A, string Op, Scalar B) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f)
        {
            if (Compare(A.Value(f), B.Value(f)) is not { } c) return null;
            return Op switch { "=" => c == 0, "<>" => c != 0, "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 };
        }
    }

    private sealed record IsNull(Scalar A, bool Negated) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f) => (A.Value(f) is null) != Negated;
    }

    private sealed record Like(Scalar A, string Pattern, bool Negated) : Cql2Expression
    {
        private readonly System.Text.RegularExpressions.Regex _regex = ToRegex(Pattern);

        public override bool? Evaluate(ICql2Feature f) => A.Value(f) is string s ? _regex.IsMatch(s) != Negated : null;

        private static System.Text.RegularExpressions.Regex ToRegex(string pattern)
        {
            var sb = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '\\' && i + 1 < pattern.Length) sb.Append(System.Text.RegularExpressions.Regex.Escape(pattern[++i].ToString()));
                else if (c == '%') sb.Append(".*");
                else if (c == '_') sb.Append('.');
                else sb.Append(System.Text.RegularExpressions.Regex.Escape(c.ToString()));
            }
            // NonBacktracking: matching takes time linear in the text whatever the pattern ('%a%b%a%b%a' on a long text
            // made the backtracking engine run for hours); the parser also caps the pattern's length and wildcards.
            return new(sb.Append('$').ToString(), System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.CultureInvariant
                | System.Text.RegularExpressions.RegexOptions.NonBacktracking);
        }
    }

    private sealed record In(Scalar A, IReadOnlyList<Scalar> List, bool Negated) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f)
        {
            if (A.Value(f) is not { } v) return null;
            var found = List.Any(x => Compare(v, x.Value(f)) == 0);
            return found != Negated;
        }
    }

    private sealed record Between(Scalar A, Scalar Low, Scalar High, bool Negated) : Cql2Expression
    {
        public override bool? Evaluate(ICql2Feature f)
        {
            var v = A.Value(f);
            if (Compare(v, Low.Value(f)) is not { } lo || Compare(v, High.Value(f)) is not { } hi) return null;
            return (lo >= 0 && hi <= 0) != Negated;
        }
    }

    private sealed record Intersects(Geometry Literal) : Cql2Expression
    {
        private readonly NetTopologySuite.Geometries.Prepared.IPreparedGeometry _prepared =
            NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(Literal);

        public override bool? Evaluate(ICql2Feature f) => f.Geometry is { } g ? _prepared.Intersects(g) : null;
    }

    private static object? Normalize(object? v) => v switch
    {
        int i => (double)i,
        long l => (double)l,
        float x => (double)x,
        decimal m => (double)m,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => v,
    };

    /// <summary>Order of two values of one kind (numbers, strings, booleans); null when either is null or the kinds differ.</summary>
    private static int? Compare(object? a, object? b) => (Normalize(a), Normalize(b)) switch
    {
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) => x.CompareTo(y),
        _ => null,
    };

    // ------------------------------------------------------------------------------------------------ parser
    private sealed class Parser(string text, IReadOnlySet<string> queryables, string geometryProperty, Func<Geometry, Geometry> toStorage)
    {
        private int _pos;

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private Cql2Exception Error(string message) => new($"{message} (bij teken {_pos + 1})", _pos);

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos < text.Length) throw Error($"Onverwacht '{text[_pos..Math.Min(text.Length, _pos + 20)]}'");
        }

        /// <summary>The next word (letters, digits, underscore) without consuming it, upper case; empty if none.</summary>
        private string PeekWord()
        {
            SkipSpace();
            var end = _pos;
            while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_')) end++;
            return end > _pos && !char.IsDigit(text[_pos]) ? text[_pos..end].ToUpperInvariant() : "";
        }

        private bool Keyword(string word)
        {
            if (PeekWord() != word) return false;
            _pos += word.Length;
            return true;
        }

        private void Expect(string symbol)
        {
            SkipSpace();
            if (string.Compare(text, _pos, symbol, 0, symbol.Length, StringComparison.OrdinalIgnoreCase) != 0)
                throw Error($"'{symbol}' verwacht");
            _pos += symbol.Length;
        }

        private bool Accept(string symbol)
        {
            SkipSpace();
            if (string.Compare(text, _pos, symbol, 0, symbol.Length, StringComparison.Ordinal) != 0) return false;
            _pos += symbol.Length;
            return true;
        }

        public Cql2Expression Or()
        {
            var e = And();
            while (Keyword("OR")) e = new Or(e, And());
            return e;
        }

        private Cql2Expression And()
        {
            var e = NotExpr();
            while (Keyword("AND")) e = new And(e, NotExpr());
            return e;
        }

        private Cql2Expression NotExpr() => Keyword("NOT") ? new Not(NotExpr()) : Primary();

        private Cql2Expression Primary()
        {
            SkipSpace();
            if (Accept("("))
            {
                var e = Or();
                Expect(")");
                return e;
            }
            switch (PeekWord())
            {
                case "S_INTERSECTS":
                    Keyword("S_INTERSECTS");
                    Expect("(");
                    Geometry? literal = null;
                    var property = false;
                    for (var i = 0; i < 2; i++)
                    {
                        if (i == 1) Expect(",");
                        if (TryGeometry() is { } g) literal = g;
                        else if (Name() == geometryProperty) property = true;
                        else throw Error($"S_INTERSECTS vergelijkt de geometrie-eigenschap '{geometryProperty}' met een geometrie");
                    }
                    Expect(")");
                    if (literal is null || !property) throw Error($"S_INTERSECTS heeft de eigenschap '{geometryProperty}' en één geometrie nodig");
                    return new Intersects(literal);
                case "TRUE" when !IsComparisonAhead(): Keyword("TRUE"); return new Constant(true);
                case "FALSE" when !IsComparisonAhead(): Keyword("FALSE"); return new Constant(false);
            }
            var a = ScalarExpr();
            var negated = Keyword("NOT");
            if (Keyword("LIKE"))
            {
                if (ScalarExpr() is not Literal { Constant: string pattern }) throw Error("LIKE heeft een tekstpatroon nodig");
                if (pattern.Length > MaxLikePatternLength || pattern.Count(ch => ch is '%' or '_') > MaxLikeWildcards)
                    throw Error($"Een LIKE-patroon is hoogstens {MaxLikePatternLength} tekens lang met hoogstens {MaxLikeWildcards} jokertekens (% en _)");
                return new Like(a, pattern, negated);
            }
            if (Keyword("IN"))
            {
                Expect("(");
                var list = new List<Scalar> { ScalarExpr() };
                while (Accept(",")) list.Add(ScalarExpr());
                Expect(")");
                return new In(a, list, negated);
            }
            if (Keyword("BETWEEN"))
            {
                var low = ScalarExpr();
                if (!Keyword("AND")) throw Error("BETWEEN heeft AND nodig");
                return new Between(a, low, ScalarExpr(), negated);
            }
            if (negated) throw Error("NOT wordt hier gevolgd door LIKE, IN of BETWEEN");
            if (Keyword("IS"))
            {
                var not = Keyword("NOT");
                if (!Keyword("NULL")) throw Error("NULL verwacht");
                return new IsNull(a, not);
            }
            foreach (var op in new[] { "<>", "<=", ">=", "=", "<", ">" })
                if (Accept(op)) return new Comparison(a, op, ScalarExpr());
            throw Error("Een vergelijking verwacht (=, <>, <, >, <=, >=), LIKE, IN, BETWEEN of IS NULL");
        }

        private bool IsComparisonAhead()
        {
            var save = _pos;
            var word = PeekWord();
            _pos += word.Length;
            SkipSpace();
            var ahead = _pos < text.Length && "=<>".Contains(text[_pos]) || PeekWord() is "IS" or "IN" or "LIKE" or "BETWEEN" or "NOT";
            _pos = save;
            return ahead;
        }

        private string Name()
        {
            SkipSpace();
            string name;
            if (Accept("\""))
            {
                var end = text.IndexOf('"', _pos);
                if (end < 0) throw Error("Eigenschapsnaam niet afgesloten");
                name = text[_pos..end];
                _pos = end + 1;
            }
            else
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.' or ':')) _pos++;
                if (_pos == start) throw Error("Een eigenschap of een waarde verwacht");
                name = text[start.._pos];
            }
            if (!queryables.Contains(name))
                throw new Cql2Exception($"'{name}' is geen queryable van deze collectie. Queryables: {string.Join(", ", queryables.Order(StringComparer.Ordinal))}.", _pos);
            return name;
        }

        private Scalar ScalarExpr()
        {
            SkipSpace();
            if (_pos >= text.Length) throw Error("Onverwacht einde van het filter");
            var c = text[_pos];
            if (c == '\'') return new Literal(StringLiteral());
            if (char.IsDigit(c) || c is '-' or '+' or '.')
            {
                var start = _pos;
                _pos++;
                while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] is '.' or 'e' or 'E' || (text[_pos] is '-' or '+' && text[_pos - 1] is 'e' or 'E'))) _pos++;
                if (!double.TryParse(text[start.._pos], NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) throw Error("Geen getal");
                return new Literal(d);
            }
            switch (PeekWord())
            {
                case "TRUE": Keyword("TRUE"); return new Literal(true);
                case "FALSE": Keyword("FALSE"); return new Literal(false);
                case "DATE":
                case "TIMESTAMP":
                    var kind = PeekWord();
                    Keyword(kind);
                    Expect("(");
                    var s = StringLiteral();
                    Expect(")");
                    var formats = kind == "DATE" ? new[] { "yyyy-MM-dd" } : ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
                    if (!DateTimeOffset.TryParseExact(s, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                        throw Error($"Geen geldige {kind}: '{s}'");
                    return new Literal(s); // ISO 8601 text orders like the instant (dates and UTC timestamps)
            }
            return new PropertyRef(Name());
        }

        private string StringLiteral()
        {
            Expect("'");
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length) throw Error("Tekst niet afgesloten");
                if (text[_pos] == '\'')
                {
                    if (_pos + 1 < text.Length && text[_pos + 1] == '\'') { sb.Append('\''); _pos += 2; continue; }
                    _pos++;
                    return sb.ToString();
                }
                sb.Append(text[_pos++]);
            }
        }

        private static readonly string[] WktTypes = ["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];

        private Geometry? TryGeometry()
        {
            var word = PeekWord();
            if (word == "BBOX")
            {
                Keyword("BBOX");
                Expect("(");
                var n = new List<double>();
                do
                {
                    if (ScalarExpr() is not Literal { Constant: double d }) throw Error("BBOX neemt getallen");
                    n.Add(d);
                } while (Accept(","));
                Expect(")");
                if (n.Count is not (4 or 6)) throw Error("BBOX neemt 4 (of 6) getallen");
                var (x0, y0, x1, y1) = n.Count == 4 ? (n[0], n[1], n[2], n[3]) : (n[0], n[1], n[3], n[4]);
                if (x0 > x1 || y0 > y1) throw Error("BBOX: de onderhoek komt eerst");
                var ring = new List<Coordinate>();
                const int steps = 8; // densified, so a transformed box follows its curved edges
                for (var i = 0; i < steps; i++) ring.Add(new(x0 + (x1 - x0) * i / steps, y0));
                for (var i = 0; i < steps; i++) ring.Add(new(x1, y0 + (y1 - y0) * i / steps));
                for (var i = 0; i < steps; i++) ring.Add(new(x1 - (x1 - x0) * i / steps, y1));
                for (var i = 0; i < steps; i++) ring.Add(new(x0, y1 - (y1 - y0) * i / steps));
                ring.Add(ring[0]);
                return Storage(new GeometryFactory().CreatePolygon(ring.ToArray()));
            }
            if (!WktTypes.Contains(word)) return null;
            // the WKT runs to the parenthesis that closes its first one
            var start = _pos;
            var open = text.IndexOf('(', _pos);
            if (open < 0) throw Error("'(' verwacht na " + word);
            var depth = 0;
            var end = open;
            for (; end < text.Length; end++)
            {
                if (text[end] == '(') depth++;
                else if (text[end] == ')' && --depth == 0) break;
            }
            if (depth != 0) throw Error("Haakjes kloppen niet in " + word);
            _pos = end + 1;
            try { return Storage(new WKTReader().Read(text[start.._pos])); }
            catch (Exception e) when (e is ParseException or ArgumentException or FormatException) { throw new Cql2Exception($"Ongeldige {word}: {e.Message}", start); }
        }

        private Geometry Storage(Geometry g)
        {
            if (!g.IsValid) throw Error("De geometrie is ongeldig (bijvoorbeeld een vlak dat zichzelf snijdt)");
            return toStorage(g);
        }
    }
}
