export type { CallRecord } from "./dispatch.js";
export type { FaultSpec, Scenario, StoreSpec } from "./scenario.js";
export { loadScenarioFile, parseScenario } from "./scenario.js";
export type { Simulator, SimulatorOptions } from "./server.js";
export { startSimulator } from "./server.js";
