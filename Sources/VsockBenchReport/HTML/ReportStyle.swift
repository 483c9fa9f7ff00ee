/// The report's only stylesheet: inline, no web fonts (system sans-serif), print-friendly.
enum ReportStyle {
    static let css = """
    :root { color-scheme: light; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #f4f5f7; color: #1d2330; font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; }
    main { max-width: 1080px; margin: 0 auto; padding: 24px 32px 48px; }
    header h1 { font-size: 26px; margin: 0 0 4px; }
    header p { margin: 0; color: #4a5263; }
    section { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 16px 20px 18px; margin-top: 18px; }
    section h2 { font-size: 18px; margin: 0 0 4px; }
    p.caption { margin: 2px 0 10px; color: #4a5263; font-size: 14px; }
    .alert { border-color: #c0392b; background: #fdf1ef; }
    .alert h2 { color: #a12a1d; }
    .alert li { margin: 4px 0; }
    code, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
    svg.chart { display: block; max-width: 100%; height: auto; margin-top: 6px; }
    .panels { display: flex; gap: 20px; flex-wrap: wrap; }
    svg text { font-family: system-ui, "DejaVu Sans", sans-serif; fill: #1d2330; }
    .label { font-size: 13px; font-weight: 600; }
    .sublabel { font-size: 11px; fill: #6b7385; }
    .col-title { font-size: 12px; font-weight: 600; }
    .tick { font-size: 11px; fill: #4a5263; }
    .axis-title { font-size: 12px; fill: #4a5263; }
    .value { font-size: 13px; }
    .value.small { font-size: 11.5px; }
    .note { font-size: 12px; fill: #4a5263; }
    .missing { font-size: 13px; fill: #9aa1ae; }
    text.bad { fill: #a12a1d; font-weight: 700; }
    .axis { stroke: #6b7385; stroke-width: 1; }
    .grid { stroke: #e6e9ef; stroke-width: 1; }
    .bar { fill: #3b6fb6; }
    .bar.stream { fill: #2a8a6e; }
    .bar.light { fill: #9dbbe3; }
    .bar.bad { fill: #c0392b; }
    .ceiling { stroke: #1d2330; stroke-width: 1.5; stroke-dasharray: 6 4; }
    .ceiling-label { font-size: 12px; font-weight: 600; }
    .marker { stroke: #8a5a00; stroke-width: 1; stroke-dasharray: 2 3; }
    .band.p90 { fill: #3b6fb6; }
    .band.p99 { fill: #7fa3d6; }
    .band.p999 { fill: #c3d4ec; }
    .whisker { stroke: #6b7385; stroke-width: 1.5; }
    .median { stroke: #e8a33d; stroke-width: 3; }
    .model { fill: none; stroke: #e8a33d; stroke-width: 2.5; }
    .point { fill: #3b6fb6; stroke: #fff; stroke-width: 1.5; }
    .series { fill: none; stroke-width: 2; }
    .series.s0 { stroke: #3b6fb6; } .dot.s0 { fill: #3b6fb6; }
    .series.s1 { stroke: #e8a33d; } .dot.s1 { fill: #e8a33d; }
    .series.s2 { stroke: #a12a1d; } .dot.s2 { fill: #a12a1d; }
    .series.s3 { stroke: #2a8a6e; } .dot.s3 { fill: #2a8a6e; }
    .series.ref { stroke: #6b7385; stroke-width: 1.5; stroke-dasharray: 5 4; }
    .flag { fill: none; stroke: #c0392b; stroke-width: 2; }
    table { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
    th, td { padding: 4px 10px; border-bottom: 1px solid #e6e9ef; text-align: left; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.bad td { color: #a12a1d; font-weight: 600; }
    .facts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 28px; }
    .facts dl { display: grid; grid-template-columns: 110px 1fr; margin: 6px 0; }
    .facts dt { color: #6b7385; }
    .facts dd { margin: 0; font-weight: 600; }
    .fit { display: flex; gap: 26px; flex-wrap: wrap; margin: 10px 0 4px; }
    .fit div { min-width: 130px; }
    .fit b { display: block; font-size: 20px; }
    .fit span { color: #6b7385; font-size: 12px; }
    .verdict { border-left: 4px solid #3b6fb6; padding: 6px 12px; margin: 10px 0; background: #f7f9fc; }
    .verdict h3 { font-size: 15px; margin: 0 0 4px; }
    .verdict .confidence { display: inline-block; width: 90px; height: 8px; background: #e6e9ef; border-radius: 4px; vertical-align: middle; margin: 0 6px; }
    .verdict .confidence i { display: block; height: 8px; background: #3b6fb6; border-radius: 4px; }
    .verdict ul { margin: 4px 0 6px 18px; padding: 0; }
    .verdict p { margin: 4px 0; }
    .quiet { color: #6b7385; }
    details summary { cursor: pointer; color: #3b6fb6; }
    footer { margin-top: 18px; color: #6b7385; font-size: 12px; }
    """
}
