-- ONNX exports of trained models, made once per weights and exporter version by the first
-- forecast-batch job that serves the model on onnxruntime-node, and read by every later job on
-- any worker. Keyed by the weights' sha256 (the revision's identity), not by id, so revisions with
-- equal weights share one export; deleting the last revision with those weights deletes it.
CREATE TABLE "trained_model_onnx" (
	"weights_sha256" text NOT NULL,
	"exporter_version" integer NOT NULL,
	"onnx_sha256" text NOT NULL,
	"onnx" bytea NOT NULL,
	"onnx_bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trained_model_onnx_pk" PRIMARY KEY ("weights_sha256","exporter_version")
);
