import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';

export { SpanKind };

/** The instrumentation scope of every span the product makes. */
export const TRACER_NAME = 'prompt-studio';

/** W3C trace context as it travels in a job envelope. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export interface TracingOptions {
  /** `service.name` of the spans: prompt-studio-api or prompt-studio-worker. */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
}

interface RunningTracing {
  shutdown(): Promise<void>;
}

let running: RunningTracing | undefined;

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Registers the OpenTelemetry SDK (W3C propagation, AsyncLocalStorage context, batched OTLP/HTTP
 * export) when an endpoint is configured. Without one nothing is registered or even loaded: the
 * API's no-op tracer answers every span call, so tracing costs nothing when it is off.
 */
export async function startTracing(options: TracingOptions): Promise<boolean> {
  if (!options.endpoint || running) return false;
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const { ATTR_SERVICE_NAME } = await import('@opentelemetry/semantic-conventions');
  const exporter = new OTLPTraceExporter({
    url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces`,
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  running = provider;
  return true;
}

/** Exports the spans still buffered and unregisters the SDK (at shutdown). */
export async function stopTracing(): Promise<void> {
  const stopping = running;
  running = undefined;
  await stopping?.shutdown();
}

/** The active trace context as W3C headers, for a job envelope; undefined when not tracing. */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/** The context a carrier describes (the root context when there is none). */
export function contextFromCarrier(carrier: TraceCarrier | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Marks a span failed with the error's message (never its stack or request data). */
export function recordSpanError(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
  if (err instanceof Error) span.setAttribute('error.type', err.name);
}

/**
 * Runs `fn` inside a new active span (a child of `parent`, by default the active context) and
 * ends it when `fn` settles, marking it failed when `fn` throws.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        recordSpanError(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** trace_id and span_id of the active span, for log lines; empty when not tracing. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
