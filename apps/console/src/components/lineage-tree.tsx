import type { CandidateResponseDto } from '../api/studio';
import { score } from '../lib/format';
import { ScrollArea } from './ui';

const NODE_GAP = 58;
const LAYER_GAP = 70;

/** The best score a candidate has, the re-scored one first (what selection used last). */
export function candidateScore(c: CandidateResponseDto): number | null {
  const s = c.scores;
  return s.rescored ?? s.validation ?? s.train ?? s.minibatch ?? null;
}

/**
 * Candidates by generation (the longest chain of parents above them), each joined to its
 * parents. A picture for the eye: the table beside it carries the same facts for everyone.
 */
export function LineageTree({
  candidates,
  selected,
  onSelect,
}: {
  candidates: CandidateResponseDto[];
  selected: number | null;
  onSelect: (id: number) => void;
}) {
  const byId = new Map(candidates.map((c) => [c.candidate_id, c]));
  const depth = new Map<number, number>();
  const depthOf = (c: CandidateResponseDto, seen = new Set<number>()): number => {
    const known = depth.get(c.candidate_id);
    if (known !== undefined) return known;
    if (seen.has(c.candidate_id)) return 0;
    seen.add(c.candidate_id);
    const parents = c.parent_ids.map((p) => byId.get(p)).filter((p) => p !== undefined);
    const d = parents.length ? 1 + Math.max(...parents.map((p) => depthOf(p, seen))) : 0;
    depth.set(c.candidate_id, d);
    return d;
  };
  const layers: CandidateResponseDto[][] = [];
  for (const c of [...candidates].sort((a, b) => a.candidate_id - b.candidate_id)) {
    const d = depthOf(c);
    (layers[d] ??= []).push(c);
  }
  const widest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const W = widest * NODE_GAP + 40;
  const H = layers.length * LAYER_GAP + 20;
  const position = new Map<number, { x: number; y: number }>();
  layers.forEach((layer, d) => {
    const offset = (W - layer.length * NODE_GAP) / 2;
    layer.forEach((c, i) =>
      position.set(c.candidate_id, {
        x: offset + i * NODE_GAP + NODE_GAP / 2,
        y: 24 + d * LAYER_GAP,
      }),
    );
  });
  return (
    <ScrollArea label="Candidate lineage tree" className="lineage-scroll">
      <svg
        width={W}
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        aria-hidden="true"
        className="lineage"
        data-testid="lineage-tree"
      >
        {candidates.flatMap((c) =>
          c.parent_ids.map((p) => {
            const from = position.get(p);
            const to = position.get(c.candidate_id);
            if (!from || !to) return null;
            return (
              <line
                key={`${p}-${c.candidate_id}`}
                x1={from.x}
                y1={from.y}
                x2={to.x}
                y2={to.y}
                className="edge"
              />
            );
          }),
        )}
        {candidates.map((c) => {
          const p = position.get(c.candidate_id)!;
          return (
            <g
              key={c.candidate_id}
              transform={`translate(${p.x},${p.y})`}
              className={`node node-${c.status}${selected === c.candidate_id ? ' node-selected' : ''}`}
              onClick={() => onSelect(c.candidate_id)}
            >
              <circle r={14} />
              <text y={4} textAnchor="middle">
                {c.candidate_id}
              </text>
              <text y={28} textAnchor="middle" className="node-score">
                {score(candidateScore(c), 2)}
              </text>
            </g>
          );
        })}
      </svg>
    </ScrollArea>
  );
}
