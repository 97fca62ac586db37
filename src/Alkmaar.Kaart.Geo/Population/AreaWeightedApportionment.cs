using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;

namespace Alkmaar.Kaart.Geo.Population;

/// <summary>A polygon that holds a count, e.g. a PC4 area with its inwoners.</summary>
public sealed record CountedPolygon(string Id, Geometry Geometry, double Count);

/// <summary>A polygon that receives a share of the counts, e.g. a buurt.</summary>
public sealed record TargetPolygon(string Code, Geometry Geometry);

/// <summary>How much of one source landed in the targets.</summary>
public sealed record SourceShare(string Id, double Count, double ShareInside, double Apportioned);

/// <summary>The apportioned count per target code (every target present, 0 when nothing overlaps it) and per source share.</summary>
public sealed record ApportionmentResult(IReadOnlyDictionary<string, double> ByTarget, IReadOnlyList<SourceShare> Sources)
{
    public double Total => ByTarget.Values.Sum();
}

/// <summary>
/// Areal weighting: a target receives from each source the source's count times the share of the source's area that
/// lies in the target, <c>count(s) · area(s ∩ t) / area(s)</c>. The contract: the count is taken to be spread evenly over
/// a source; the part of a source outside every target (another gemeente) is not apportioned, so the total never
/// exceeds the sum of the sources; targets that tile without overlap never receive more than a source holds.
/// Geometry in one projected CRS (RD New), areas in its units.
/// </summary>
public static class AreaWeightedApportionment
{
    public static ApportionmentResult Apportion(IReadOnlyList<CountedPolygon> sources, IReadOnlyList<TargetPolygon> targets)
    {
        var index = new STRtree<TargetPolygon>();
        foreach (var t in targets) index.Insert(t.Geometry.EnvelopeInternal, t);
        index.Build();

        var byTarget = targets.ToDictionary(t => t.Code, _ => 0.0);
        var shares = new List<SourceShare>(sources.Count);
        foreach (var s in sources)
        {
            var area = s.Geometry.Area;
            if (area <= 0 || s.Count <= 0)
            {
                shares.Add(new SourceShare(s.Id, s.Count, 0, 0));
                continue;
            }
            var inside = 0.0;
            foreach (var t in index.Query(s.Geometry.EnvelopeInternal))
            {
                if (!t.Geometry.EnvelopeInternal.Intersects(s.Geometry.EnvelopeInternal)) continue;
                var overlap = OverlayNGRobust.Overlay(s.Geometry, t.Geometry, SpatialFunction.Intersection).Area;
                if (overlap <= 0) continue;
                inside += overlap;
                byTarget[t.Code] += s.Count * overlap / area;
            }
            var share = Math.Min(1, inside / area);
            shares.Add(new SourceShare(s.Id, s.Count, share, s.Count * share));
        }
        return new ApportionmentResult(byTarget, shares);
    }
}
