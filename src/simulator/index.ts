export type { CallRecord } from "./dispatch.js";
export type {
  AccountSpec,
  AccountStatus,
  FaultSpec,
  KeySpec,
  RateLimitSpec,
  Scenario,
  StoreSpec,
} from "./scenario.js";
export { loadScenarioFile, parseScenario, SIMULATOR_CREDENTIALS } from "./scenario.js";
export type { KeyInput, Simulator, SimulatorOptions } from "./server.js";
export { startSimulator } from "./server.js";
