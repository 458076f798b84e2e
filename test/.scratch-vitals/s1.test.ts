import { it } from 'vitest';
import { runPipeline } from '../../engine/testing.js';
import { patientPipeline } from '../../layers/pipeline.js';
const iso = (us: number | null) => us === null ? null : new Date(us / 1000).toISOString().slice(11, 16);
it('scratch', async () => {
  for (const mfpt of [undefined, 1]) {
    const run = await runPipeline(patientPipeline, { input: 'data', maxFilesPerTrigger: mfpt });
    console.log('=== mfpt', mfpt, 'failure', run.failure?.message);
    for (const m of run.tester.flowMetrics('vitals_15min')) console.log(JSON.stringify({ ...m, watermark_us: iso(m.watermark_us), expectations: undefined }));
    console.log('wm next', iso(run.tester.watermark('vitals_15min')));
    console.log('bronze', run.rows('vitals_bronze').length, 'silver', run.rows('vitals_silver').length, 'quar', run.rows('vitals_quarantine').map(r => [r.patient_id, r._line, r._failed_expectations]));
    for (const r of run.rows('vitals_15min')) console.log(iso(r.window_start as number), iso(r.window_end as number), r.patient_id, r.readings, r.avg_heart_rate, r.avg_systolic_bp, r.avg_diastolic_bp, r.avg_temperature_c, r.avg_spo2);
    for (const r of run.rows('patient_alerts')) console.log('ALERT', iso(r.window_start as number), iso(r.window_end as number), r.patient_id, r.reason);
  }
});
