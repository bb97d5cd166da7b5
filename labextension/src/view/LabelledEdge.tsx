/**
 * The viewer's edge: React Flow's bezier path, with its label drawn as centred SVG text on a
 * box sized from its length, instead of React Flow's EdgeText, which measures every new label
 * (getBBox: a forced layout, then a second render to size its box) — a debugger step that
 * changes the gradient notes on edges paid that for each one.
 */
import React, { memo } from 'react';
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';

/**
 * Edge labels are 10px monospace (base.css, .react-flow__edge-text): each character advances
 * about 0.6em, so a label's box is sized from its length, with no measuring of the DOM.
 */
const CHAR_PX = 6.1;
const PAD_X = 4;
const BOX_H = 14;

function LabelledEdgeView(props: EdgeProps): JSX.Element {
  const [path, labelX, labelY] = getBezierPath({
    sourceX: props.sourceX,
    sourceY: props.sourceY,
    sourcePosition: props.sourcePosition,
    targetX: props.targetX,
    targetY: props.targetY,
    targetPosition: props.targetPosition
  });
  const label = props.label;
  return (
    <>
      <BaseEdge
        path={path}
        style={props.style}
        markerEnd={props.markerEnd}
        markerStart={props.markerStart}
        interactionWidth={props.interactionWidth}
      />
      {typeof label === 'string' && label !== '' ? (
        <g className="react-flow__edge-textwrapper">
          <rect
            className="react-flow__edge-textbg"
            x={labelX - label.length * (CHAR_PX / 2) - PAD_X}
            y={labelY - BOX_H / 2}
            width={label.length * CHAR_PX + 2 * PAD_X}
            height={BOX_H}
            rx={2}
            ry={2}
          />
          <text
            className="react-flow__edge-text"
            x={labelX}
            y={labelY}
            textAnchor="middle"
            dominantBaseline="central"
          >
            {label}
          </text>
        </g>
      ) : null}
    </>
  );
}

export const LabelledEdge = memo(LabelledEdgeView);

/** The edge types of the viewer's canvas (one object for its whole life). */
export const edgeTypes = { labelled: LabelledEdge };
