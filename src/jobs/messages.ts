/**
 * Texts of the notifications jobs create. They are stored already written in the recipient's language
 * (the user's locale, else the workspace's), because a notification is a message sent at a moment,
 * like an email, not a label the UI re-renders.
 */
export type Locale = 'es' | 'en';

export const notificationTexts = {
  jobFailed: (locale: Locale, kind: string, jobId: string, error: string) => locale === 'en'
    ? { title: `A background job failed: ${kind}`, body: `Job ${jobId} failed after its last attempt. Last error: ${error}` }
    : { title: `Ha fallado una tarea programada: ${kind}`, body: `La tarea ${jobId} ha fallado tras su último intento. Último error: ${error}` },
  overdueNextActions: (locale: Locale, count: number) => locale === 'en'
    ? { title: count === 1 ? 'You have 1 overdue next action' : `You have ${count} overdue next actions`, body: 'Open leads whose next action date has passed. Reschedule or do them today.' }
    : { title: count === 1 ? 'Tienes 1 próxima acción vencida' : `Tienes ${count} próximas acciones vencidas`, body: 'Oportunidades abiertas cuya próxima acción ya pasó. Hazlas hoy o reprográmalas.' },
};
