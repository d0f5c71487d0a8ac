# Tân An IOC: one image for every role (ingest, app, simulator, migrations).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ioc ioc
COPY ingest ingest
COPY maps maps
COPY widgets widgets
COPY geodata geodata
COPY simulators simulators
COPY vocab vocab
COPY cli cli
RUN pip install . && useradd --system ioc
USER ioc
ENTRYPOINT ["ioc"]
CMD ["serve"]
