import { describe, expect, it } from "vitest";
import { keyFamilies, keyLines, undescribedLine } from "../../../src/enrichment/keys/series.js";

const BASE = [
  ["account_id", "111111111111"],
  ["region", "us-east-1"],
] as const;

describe("key series", () => {
  it("writes one line per store and state, in each family", () => {
    const [current, last] = keyLines(BASE, [
      {
        storeId: "cks-1",
        byState: { PendingDeletion: 1, Unavailable: 7 },
        byLastAvailable: { Disabled: 2, Enabled: 5, PendingDeletion: 1 },
      },
    ]);
    expect(current).toBe(
      'aws_kms_custom_key_store_keys{account_id="111111111111",region="us-east-1",custom_key_store_id="cks-1",key_state="PendingDeletion"} 1\n' +
        'aws_kms_custom_key_store_keys{account_id="111111111111",region="us-east-1",custom_key_store_id="cks-1",key_state="Unavailable"} 7\n',
    );
    expect(last?.split("\n").filter(Boolean)).toHaveLength(3);
    expect(last).toContain('custom_key_store_id="cks-1",key_state="Enabled"} 5\n');
    expect(keyLines(BASE, [])).toEqual(["", ""]);
  });

  it("writes the undescribed count per target, and three families that say they are polled", () => {
    expect(undescribedLine(BASE, 2)).toBe(
      'kms_keystore_exporter_key_inventory_undescribed_keys{account_id="111111111111",region="us-east-1"} 2\n',
    );
    const families = keyFamilies();
    expect(families.map((family) => family.name)).toEqual([
      "aws_kms_custom_key_store_keys",
      "aws_kms_custom_key_store_keys_last_available",
      "kms_keystore_exporter_key_inventory_undescribed_keys",
    ]);
    for (const family of families) expect(family.help).toContain("polled");
  });
});
