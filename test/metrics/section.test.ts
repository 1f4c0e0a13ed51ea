import { describe, expect, it } from "vitest";
import { MEMBERS_PER_CHUNK, type Section, SectionChunks } from "../../src/metrics/section.js";
import { partsText } from "../helpers/exposition.js";

const FAMILIES = [
  { name: "a", help: "A.", type: "gauge" as const },
  { name: "b", help: "B.", type: "gauge" as const },
];
const HEADERS = ["# HELP a A.\n# TYPE a gauge\n", "# HELP b B.\n# TYPE b gauge\n"];

function lines(index: number, version = 0): string[] {
  return [`a{t="${index}"} ${version}\n`, index % 3 === 0 ? "" : `b{t="${index}"} ${version}\n`];
}

let renders = 0;

/** A member is a target's lines; its stamp is the joined lines, so it moves when they do. */
function section(
  targets: string[][],
  options: { empty?: boolean; blank?: boolean } = {},
): Section<string[]> {
  return {
    families: FAMILIES,
    headersWhenEmpty: options.empty ?? true,
    blankLineAfter: options.blank ?? false,
    // A new object every time: these tests are about the members, visited on every scrape.
    changes: () => ({}),
    eachMember: (visit) => {
      for (const target of targets) visit(target);
    },
    stamp: (target) => target.join(""),
    render: (target) => {
      renders++;
      return target;
    },
  };
}

/** The text of one render of everything: each family's header, then every target's lines. */
function whole(targets: string[][], blank = ""): string {
  return HEADERS.map(
    (header, family) => header + targets.map((target) => target[family]).join("") + blank,
  ).join("");
}

const text = partsText;

describe("SectionChunks", () => {
  it("gives exactly the text of one render of everything, in member order", () => {
    for (const count of [0, 1, MEMBERS_PER_CHUNK, 2 * MEMBERS_PER_CHUNK + 5]) {
      const targets = Array.from({ length: count }, (_, index) => lines(index));
      expect(text(new SectionChunks(section(targets)).parts())).toBe(whole(targets));
      expect(text(new SectionChunks(section(targets, { blank: true })).parts())).toBe(
        whole(targets, "\n"),
      );
    }
  });

  it("leaves out an empty section whose headers need members", () => {
    expect(new SectionChunks(section([], { empty: false })).parts()).toEqual([]);
    expect(text(new SectionChunks(section([lines(1)], { empty: false })).parts())).toBe(
      whole([lines(1)]),
    );
  });

  it("renders again only the chunk whose member changed, and keeps unchanged bytes", () => {
    const targets = Array.from({ length: 3 * MEMBERS_PER_CHUNK }, (_, index) => lines(index));
    const chunks = new SectionChunks(section(targets));
    const before = chunks.parts();
    // The member changes identity but only its `a` line changes.
    const changed = lines(MEMBERS_PER_CHUNK + 1, 1);
    targets[MEMBERS_PER_CHUNK + 1] = [
      changed[0] as string,
      lines(MEMBERS_PER_CHUNK + 1)[1] as string,
    ];
    renders = 0;
    const after = chunks.parts();
    expect(text(after)).toBe(whole(targets));
    expect(after.filter((part) => !before.includes(part))).toHaveLength(1);
    expect(renders).toBe(MEMBERS_PER_CHUNK);
    renders = 0;
    expect(chunks.parts()).toEqual(after);
    expect(renders).toBe(0);
  });

  it("renders the same member object again exactly when its stamp moves", () => {
    const members = Array.from({ length: 2 * MEMBERS_PER_CHUNK }, (_, index) => ({
      lines: lines(index),
      version: 0,
    }));
    const chunks = new SectionChunks<(typeof members)[number]>({
      families: FAMILIES,
      headersWhenEmpty: true,
      changes: () => ({}),
      eachMember: (visit) => {
        for (const member of members) visit(member);
      },
      stamp: (member) => member.version,
      render: (member) => {
        renders++;
        return member.lines;
      },
    });
    chunks.parts();
    const member = members[MEMBERS_PER_CHUNK + 2] as (typeof members)[number];
    member.lines = lines(MEMBERS_PER_CHUNK + 2, 7);
    renders = 0;
    // Lines changed behind an unchanged stamp are not seen: the stamp is the contract.
    expect(text(chunks.parts())).not.toContain(" 7\n");
    expect(renders).toBe(0);
    member.version++;
    const after = text(chunks.parts());
    expect(after).toBe(whole(members.map((each) => each.lines)));
    expect(after).toContain(`a{t="${MEMBERS_PER_CHUNK + 2}"} 7\n`);
    // The chunk's other members keep their bytes: only the changed one is rendered.
    expect(renders).toBe(1);
  });

  it("visits no member while the section's changes stay the same", () => {
    let changes = 0;
    let visits = 0;
    const members = [lines(0), lines(1)];
    const chunks = new SectionChunks<string[]>({
      families: FAMILIES,
      headersWhenEmpty: true,
      changes: () => changes,
      eachMember: (visit) => {
        for (const member of members) {
          visits++;
          visit(member);
        }
      },
      stamp: (member) => member.join(""),
      render: (member) => member,
    });
    const first = chunks.parts();
    expect(visits).toBe(2);
    members.push(lines(2));
    expect(chunks.parts()).toBe(first);
    expect(visits).toBe(2);
    changes++;
    expect(text(chunks.parts())).toBe(whole(members));
    expect(visits).toBe(4 + 1);
  });

  it("renders again every chunk after a member is removed before them", () => {
    const targets = Array.from({ length: 2 * MEMBERS_PER_CHUNK }, (_, index) => lines(index));
    const chunks = new SectionChunks(section(targets));
    chunks.parts();
    targets.splice(3, 1);
    expect(text(chunks.parts())).toBe(whole(targets));
  });
});
