/** Prefix, in the documents bucket, of the edXML packages waiting to go out over the axis. */
export const AXIS_OUTBOUND_PREFIX = 'axis/outbound/';
/** Prefix of the packages received over the axis, stored whole under their SHA-256. */
export const AXIS_INBOUND_PREFIX = 'axis/inbound/';
