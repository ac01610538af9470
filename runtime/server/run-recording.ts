/**
 * A run's recording as a download (`replay <runId>`): for the REST API and the console's run page.
 * Who may fetch it is the rule of the run itself (access/runs.ts: the run's own user and admins),
 * checked by the caller before this answers.
 */
import { create as contentDisposition } from "content-disposition";
import type { FastifyReply } from "fastify";
import { RuntimeError } from "../errors.ts";
import type { RunPort } from "../store/index.ts";

export async function sendRecording(
  runs: RunPort,
  runId: string,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const recording = await runs.getRunRecording(runId);
  if (recording === null)
    throw new RuntimeError(
      "not_found",
      `Run ${runId} kept no recording: only runs that ran their logic are recorded, failed ones by default (serve --record-runs failed|all|off, an app's recordRuns setting).`,
    );
  return reply
    .type("application/json; charset=utf-8")
    .header("content-disposition", contentDisposition(`run-${runId}.json`))
    .send(recording);
}
