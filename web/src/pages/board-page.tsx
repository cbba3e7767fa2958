import { useMemo, useState, type CSSProperties } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors,
  type Announcements, type DragEndEvent, type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { api } from '../api/client.js';
import type { Lead, Page, Stage } from '../api/types.js';
import { usePipelines, type PipelineWithStages } from '../api/lookups.js';
import { useI18n, errorText } from '../i18n/i18n.js';
import { ErrorState, Loading } from '../components/ui.js';
import { LeadsViewSwitch, NextActionCell } from '../components/lead-bits.js';
import { CancelLeadDialog, LostDialog, WonDialog } from '../components/close-dialogs.js';
import { leadDisplayName } from '../lib/names.js';
import { temperatureLabelKey } from '../lib/labels.js';
import { ScoreBadge } from '../components/score-badge.js';

const PER_COLUMN = 50;
type Board = Record<string, { leads: Lead[]; more: boolean }>;

/** Within each column: the next action first (the default), or the highest score first. */
type BoardSort = 'nextAction' | 'score';
async function loadBoard(p: PipelineWithStages, sort: BoardSort): Promise<Board> {
  const pages = await Promise.all(p.stages.map((s) =>
    api.get<Page<Lead>>('/leads', { pipelineId: p.id, stageId: s.id, limit: String(PER_COLUMN), sort: sort === 'score' ? '-score' : 'nextActionAt' })));
  return Object.fromEntries(p.stages.map((s, i) => [s.id, { leads: pages[i]!.data, more: !!pages[i]!.nextCursor }]));
}

/** Arrow keys jump a picked-up card straight to the next or previous column. */
const columnJump: KeyboardCoordinateGetter = (event, { currentCoordinates, context }) => {
  const rect = context.collisionRect;
  if (!rect) return undefined;
  const centre = currentCoordinates.x + rect.width / 2;
  const columns = [...context.droppableRects.values()].sort((a, b) => a.left - b.left);
  let target: (typeof columns)[number] | undefined;
  if (event.code === 'ArrowRight') target = columns.find((c) => c.left + c.width / 2 > centre + 5);
  else if (event.code === 'ArrowLeft') target = [...columns].reverse().find((c) => c.left + c.width / 2 < centre - 5);
  else if (event.code === 'ArrowDown') return { ...currentCoordinates, y: currentCoordinates.y + 40 };
  else if (event.code === 'ArrowUp') return { ...currentCoordinates, y: currentCoordinates.y - 40 };
  else return undefined;
  if (!target) return currentCoordinates;
  event.preventDefault();
  return { x: target.left + (target.width - rect.width) / 2, y: Math.max(target.top + 48, currentCoordinates.y) };
};

function Card({ lead, onCancel }: { lead: Lead; onCancel: (l: Lead) => void }) {
  const { t, fmt } = useI18n();
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: lead.id, data: { lead } });
  const style: CSSProperties | undefined = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined;
  const name = leadDisplayName(lead);
  return (
    <li ref={setNodeRef} style={style} className={`kcard${isDragging ? ' kcard--dragging' : ''}`} {...attributes} {...listeners}
      aria-label={name} data-lead-id={lead.id}>
      <Link className="kcard__title" to={`/leads/${lead.id}`} onPointerDown={(e) => e.stopPropagation()}>{name}</Link>
      {lead.companyName && <span className="muted small">{lead.companyName}</span>}
      <div className="kcard__meta">
        <span>{fmt.money(lead.amount, lead.currency)}</span>
        <span onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}><ScoreBadge score={lead.score} explanation={lead.scoreExplanation} /></span>
        <NextActionCell lead={lead} />
      </div>
      {lead.status === 'open' && (
        <button type="button" className="linkish small kcard__cancel" onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}
          onClick={() => onCancel(lead)}>{t('lead.cancel')}</button>
      )}
    </li>
  );
}

function Column({ stage, leads, more, onCancel }: { stage: Stage; leads: Lead[]; more: boolean; onCancel: (l: Lead) => void }) {
  const { t, fmt } = useI18n();
  const { setNodeRef, isOver } = useDroppable({ id: stage.id, data: { stage } });
  const total = leads.reduce((s, l) => s + l.amount, 0);
  return (
    <section ref={setNodeRef} className={`column${isOver ? ' column--over' : ''}`} aria-labelledby={`col-${stage.id}`} data-stage-id={stage.id}>
      <header className="column__header">
        <h2 id={`col-${stage.id}`}>
          {stage.name} <span className="count">{leads.length}{more ? '+' : ''}</span>
        </h2>
        <span className="column__total" title={stage.temperature ? t(temperatureLabelKey[stage.temperature]) : undefined}>{fmt.money(total)}</span>
      </header>
      {leads.length === 0 ? <p className="empty small">{t('board.empty')}</p> : (
        <ul className="column__cards">{leads.map((l) => <Card key={l.id} lead={l} onCancel={onCancel} />)}</ul>
      )}
    </section>
  );
}

export function BoardPage() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const pipelines = usePipelines();
  const [pipelineId, setPipelineId] = useState<string>('');
  const pipeline = pipelines.data?.find((p) => p.id === pipelineId) ?? pipelines.data?.[0];
  const [sort, setSort] = useState<BoardSort>('nextAction');
  const boardKey = ['board', pipeline?.id, sort];
  const board = useQuery({ queryKey: boardKey, enabled: !!pipeline, queryFn: () => loadBoard(pipeline!, sort) });
  const [pending, setPending] = useState<{ lead: Lead; stage: Stage; kind: 'won' | 'lost' } | null>(null);
  const [cancelling, setCancelling] = useState<Lead | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const stageById = useMemo(() => new Map((pipeline?.stages ?? []).map((s) => [s.id, s])), [pipeline]);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnJump }),
  );

  /** Moves the card at once; puts it back if the server refuses. */
  const move = async (lead: Lead, stage: Stage, lostReason?: string) => {
    const before = queryClient.getQueryData<Board>(boardKey);
    queryClient.setQueryData<Board>(boardKey, (b) => {
      if (!b) return b;
      const from = b[lead.stageId];
      const to = b[stage.id];
      if (!from || !to) return b;
      return { ...b, [lead.stageId]: { ...from, leads: from.leads.filter((l) => l.id !== lead.id) }, [stage.id]: { ...to, leads: [{ ...lead, stageId: stage.id }, ...to.leads] } };
    });
    try {
      await api.post<Lead>(`/leads/${lead.id}/move`, { stageId: stage.id, version: lead.version, ...(lostReason ? { lostReason } : {}) });
      setMessage(t('board.moved', { name: leadDisplayName(lead), stage: stage.name }));
    } catch (e) {
      queryClient.setQueryData(boardKey, before);
      setMessage(errorText(t, e));
      throw e;
    } finally {
      void queryClient.invalidateQueries({ queryKey: boardKey });
      void queryClient.invalidateQueries({ queryKey: ['list', '/leads'] });
      void queryClient.invalidateQueries({ queryKey: ['today'] });
    }
  };

  const onDragEnd = (e: DragEndEvent) => {
    const lead = e.active.data.current?.['lead'] as Lead | undefined;
    const stage = e.over ? stageById.get(String(e.over.id)) : undefined;
    if (!lead || !stage || stage.id === lead.stageId) return;
    if (stage.kind === 'won' && lead.status !== 'won') setPending({ lead, stage, kind: 'won' });
    else if (stage.kind === 'lost') setPending({ lead, stage, kind: 'lost' });
    else void move(lead, stage).catch(() => undefined);
  };

  const nameOf = (id: string | number) => {
    for (const col of Object.values(board.data ?? {})) { const l = col.leads.find((x) => x.id === id); if (l) return leadDisplayName(l); }
    return '';
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('board.pickCard', { name: nameOf(active.id) }),
    onDragOver: ({ active, over }) => (over ? t('board.overColumn', { name: nameOf(active.id), stage: stageById.get(String(over.id))?.name ?? '' }) : undefined),
    onDragEnd: ({ active, over }) => (over ? t('board.overColumn', { name: nameOf(active.id), stage: stageById.get(String(over.id))?.name ?? '' }) : t('board.dropCancelled')),
    onDragCancel: () => t('board.dropCancelled'),
  };

  return (
    <section className="page" aria-labelledby="board-title">
      <header className="page__header">
        <h1 id="board-title">{t('leads.title')}</h1>
        <LeadsViewSwitch current="board" />
        <div className="toolbar">
          <label htmlFor="board-sort">{t('score.sort')}</label>
          <select id="board-sort" value={sort} onChange={(e) => setSort(e.target.value as BoardSort)}>
            <option value="nextAction">{t('score.sort.nextAction')}</option>
            <option value="score">{t('score.sort.score')}</option>
          </select>
        </div>
        {(pipelines.data?.length ?? 0) > 1 && (
          <div className="toolbar">
            <label htmlFor="board-pipeline" className="visually-hidden">{t('board.pipeline')}</label>
            <select id="board-pipeline" value={pipeline?.id ?? ''} onChange={(e) => setPipelineId(e.target.value)}>
              {pipelines.data!.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </div>
        )}
      </header>
      <p className="muted small" id="board-hint">{t('board.dragHint')}</p>
      <p className="visually-hidden" aria-live="polite">{message}</p>
      {message && <p className="board-message" role="status">{message}</p>}
      {pipelines.isLoading || board.isLoading ? <Loading /> : pipelines.error || board.error ? <ErrorState error={pipelines.error ?? board.error} onRetry={() => board.refetch()} /> : pipeline && board.data && (
        <DndContext sensors={sensors} onDragEnd={onDragEnd}
          accessibility={{ announcements, screenReaderInstructions: { draggable: t('board.dragHint') } }}>
          <div className="board">
            {pipeline.stages.map((s) => (
              <Column key={s.id} stage={s} leads={board.data[s.id]?.leads ?? []} more={board.data[s.id]?.more ?? false} onCancel={setCancelling} />
            ))}
          </div>
        </DndContext>
      )}
      {pending?.kind === 'won' && (
        <WonDialog lead={pending.lead} wonStageId={pending.stage.id} onClose={() => setPending(null)} onDone={() => {
          setPending(null);
          setMessage(t('board.moved', { name: leadDisplayName(pending.lead), stage: pending.stage.name }));
          void queryClient.invalidateQueries({ queryKey: ['board'] });
        }} />
      )}
      {pending?.kind === 'lost' && (
        <LostDialog lead={pending.lead} onClose={() => setPending(null)} onConfirm={async (reason) => { await move(pending.lead, pending.stage, reason); setPending(null); }} />
      )}
      {cancelling && (
        <CancelLeadDialog lead={cancelling} onClose={() => setCancelling(null)} onDone={() => { setCancelling(null); void queryClient.invalidateQueries({ queryKey: ['board'] }); }} />
      )}
    </section>
  );
}
