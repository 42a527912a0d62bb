/**
 * SQL pieces several dashboards share. Conventions of every panel query:
 * - restricted to `{tenant:String}` (or, for comparisons across tenants, `{visible_tenants:Array(String)}`);
 * - indicator values come from `lagebild.{indicator_view:Identifier}` (protected or raw, chosen by the
 *   server from the caller's roles) unless a dashboard is protected-only;
 * - values that could not be computed are left out, so a null value always means "suppressed" and is
 *   flagged in a `suppressed` column;
 * - money is stored in cents and shown in euros.
 */

/** German label and colour of each attainment status, in the order of the Ampel. */
export const ATTAINMENT_STATUSES = `[('ON_TRACK', 'auf Kurs', 'GREEN', 1), ('AT_RISK', 'gefährdet', 'YELLOW', 2), ('MISSED', 'verfehlt', 'RED', 3), ('ACHIEVED', 'erreicht', 'BLUE', 4), ('NOT_EVALUABLE', 'nicht bewertbar', 'GREY', 5)]`;

/** `status` (an attainment status column) in German. */
export function attainmentStatusText(column: string): string {
  return `transform(${column}, ['ON_TRACK', 'AT_RISK', 'MISSED', 'ACHIEVED', 'NOT_EVALUABLE'], ['auf Kurs', 'gefährdet', 'verfehlt', 'erreicht', 'nicht bewertbar'], 'noch nicht bewertet')`;
}

/** Goals in force (not retired) of the tenant. */
export const GOALS_IN_FORCE = 'SELECT goal_id FROM lagebild.v_goal WHERE tenant = {tenant:String} AND retired_on IS NULL';

/** Number of targets per attainment status (all five statuses, zero where none): the Ampel of the goal system. */
export const ATTAINMENT_AMPEL_SQL = `SELECT k.label AS label, toFloat64(ifNull(c.n, 0)) AS value, k.color AS color
FROM (SELECT tupleElement(s, 1) AS status, tupleElement(s, 2) AS label, tupleElement(s, 3) AS color, tupleElement(s, 4) AS ord FROM (SELECT arrayJoin(${ATTAINMENT_STATUSES}) AS s)) AS k
LEFT JOIN (
  SELECT toString(status) AS status, count() AS n FROM lagebild.v_attainment_latest
  WHERE tenant = {tenant:String} AND goal_id IN (${GOALS_IN_FORCE})
  GROUP BY status
) AS c ON c.status = k.status
ORDER BY k.ord`;

/** Ampel colour of an indicator value in German. */
export function ampelText(column: string): string {
  return `transform(${column}, ['GREEN', 'YELLOW', 'RED'], ['grün', 'gelb', 'rot'], '')`;
}

/** German note on a value's status (empty when it is an ordinary computed value). */
export function valueNote(status: string): string {
  return `transform(toString(${status}), ['SUPPRESSED_PRIMARY', 'SUPPRESSED_SECONDARY'], ['gesperrt (kleine Fallzahl)', 'gesperrt (Rückrechnung verhindert)'], '')`;
}

/** Centre of a GeoJSON Polygon or MultiPolygon (mean of its vertices): Grafana's geomap places a marker there. */
export function geometryCentre(geometry: string): { latitude: string; longitude: string } {
  const flat = `arrayFlatten(if(JSONExtractString(${geometry}, 'type') = 'MultiPolygon', JSONExtract(${geometry}, 'coordinates', 'Array(Array(Array(Array(Float64))))'), [JSONExtract(${geometry}, 'coordinates', 'Array(Array(Array(Float64)))')]))`;
  return {
    longitude: `arrayAvg(arrayFilter((x, i) -> i % 2 = 1, ${flat}, arrayEnumerate(${flat})))`,
    latitude: `arrayAvg(arrayFilter((x, i) -> i % 2 = 0, ${flat}, arrayEnumerate(${flat})))`,
  };
}
