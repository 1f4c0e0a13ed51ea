import { describe, expect, it } from "vitest";
import { grafanaVariable, queryPanels, readDashboard, substituteVariables } from "./files.js";

const dashboard = readDashboard();
const VARIABLE_DATASOURCE = grafanaVariable("datasource");

/** Every value of a key named `uid` anywhere below `node`, with its path. */
function uids(node: unknown, path = ""): [string, unknown][] {
  if (Array.isArray(node)) return node.flatMap((item, index) => uids(item, `${path}[${index}]`));
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => [
    ...(key === "uid" ? [[`${path}.${key}`, value] as [string, unknown]] : []),
    ...uids(value, `${path}.${key}`),
  ]);
}

describe("grafana/dashboard.json", () => {
  it("uses a current schema, a fixed uid and a datasource variable, never a fixed datasource", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.uid).toBe("kms-keystore-exporter");
    const datasource = dashboard.templating.list.find((variable) => variable.name === "datasource");
    expect(datasource).toMatchObject({ type: "datasource", query: "prometheus" });
    const datasourceUids = uids(dashboard).filter(([path]) => path !== ".uid");
    expect(datasourceUids.length).toBeGreaterThan(10);
    for (const [path, value] of datasourceUids) expect(value, path).toBe(VARIABLE_DATASOURCE);
  });

  it("has account, region and store type variables that query the datasource variable", () => {
    for (const name of ["account", "region", "type"]) {
      const variable = dashboard.templating.list.find((candidate) => candidate.name === name);
      expect(variable, name).toMatchObject({
        type: "query",
        datasource: { uid: VARIABLE_DATASOURCE },
      });
    }
  });

  it("has the panels the alerts need, each querying through the datasource variable", () => {
    const panels = queryPanels(dashboard);
    const byTitle = new Map(panels.map((panel) => [panel.title, panel.type]));
    expect(Object.fromEntries(byTitle)).toMatchObject({
      "Stores by state": "stat",
      "Failed now": "stat",
      "Targets down": "stat",
      "Stores not CONNECTED": "table",
      "Connection state by store": "state-timeline",
      "State changes in the last hour": "timeseries",
      "Keys in stores not CONNECTED, by state before the outage": "timeseries",
      "Target up": "state-timeline",
      "Poll duration": "timeseries",
      "API errors by exception": "timeseries",
      "Throttled requests": "timeseries",
      "Data age": "timeseries",
      "Active HSMs per CloudHSM cluster": "timeseries",
      "Availability zones with an ACTIVE HSM": "timeseries",
      "XKS proxy certificate: days to expiry": "timeseries",
      "XKS proxy latency": "timeseries",
      "XKS proxy errors per 5 minutes": "timeseries",
      "XKS proxy error ratio": "timeseries",
      "External key managers by state": "timeseries",
    });
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(VARIABLE_DATASOURCE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, `${panel.title} ${target.refId}`).toBe(VARIABLE_DATASOURCE);
        expect(target.expr?.trim(), `${panel.title} ${target.refId}`).toBeTruthy();
        // Throws on a variable the dashboard does not define.
        expect(substituteVariables(target.expr ?? "")).not.toContain("$");
      }
    }
  });
});
